using Nats.OrleansRoutes.Gateway.Routes;
using Nats.OrleansRoutes.Gateway.Serving;

namespace Nats.OrleansRoutes.Gateway.Monitoring;

/// <summary>/routez: in the spirit of nats-server's monitoring JSON, per cluster, member and connection.</summary>
public sealed record RoutezView(string Gateway, string ServerId, string ServerName, DateTimeOffset Now, IReadOnlyList<ClusterRoutez> Clusters);

/// <summary>
/// One served cluster. <see cref="State"/>: <c>serving</c>; <c>taking-over</c> (members join and
/// interest is exchanged, the leaving gateway still relays); <c>handing-over</c> (this gateway is
/// leaving and relays until the new holder is ready); <c>fenced</c> (the lease may have ended:
/// nothing is relayed, the endpoint is closing).
/// </summary>
public sealed record ClusterRoutez(string Cluster, string State, string? Name, long Version, long Epoch, string Endpoint, int PoolSize,
    IReadOnlyList<string> PinnedAccounts, IReadOnlyList<MemberRoutez> Members, int Handshaking, IReadOnlyList<SolicitedRoutez> Routes,
    string? TlsProblem);

/// <summary>
/// One of the spec's <c>routes</c>, dialled by this gateway: <see cref="Url"/> without its password;
/// <see cref="Failures"/> since it was last up; <see cref="RetryDelayMs"/> while waiting to redial.
/// </summary>
public sealed record SolicitedRoutez(string Url, bool Connected, int Failures, string? LastError, double? RetryDelayMs);

/// <summary>
/// One member. <see cref="Pinning"/>: accounts the gateway asked it to pin whose dedicated connection
/// is not up yet; until it is, the member sends none of the account's messages (nats-server's window).
/// <see cref="HasUrlsOf"/>: the members whose client URLs it holds (over an open URL route).
/// </summary>
public sealed record MemberRoutez(string ServerId, string ServerName, string Version, int? PoolSize, bool Headers,
    IReadOnlyList<string> Mismatches, IReadOnlyList<string> Pinning, IReadOnlyList<ConnectionRoutez> Connections,
    IReadOnlyList<string> HasUrlsOf);

public sealed record ConnectionRoutez(string Kind, bool Solicited, int? PoolIndex, string? Account, string Remote, double? RttMs,
    long InMsgs, long InBytes, long OutMsgs, long OutBytes, int Subscriptions, int AnnouncedSubscriptions, long PendingBytes, DateTimeOffset Since,
    IReadOnlyDictionary<string, AccountRoutez> Accounts, CompressionRoutez Compression);

/// <summary>The negotiated S2 mode (the same in both directions' on/off, the level this side writes) and bytes before and after S2.</summary>
public sealed record CompressionRoutez(string Mode, long InWireBytes, long InDecodedBytes, long OutPlainBytes, long OutWireBytes);

public sealed record AccountRoutez(long InMsgs, long InBytes, long OutMsgs, long OutBytes);

internal static class RoutezBuilder
{
    public static RoutezView Build(GatewayService gateway)
    {
        var clusters = new List<ClusterRoutez>();
        foreach (var (cluster, served) in gateway.Served.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            var server = served.Server;
            var hub = server.Hub;
            List<MemberRoutez> members;
            lock (hub.Gate)
            {
                var names = hub.Members.ToDictionary(m => m.ServerId, m => m.ServerName, StringComparer.Ordinal);
                var urlsOf = hub.UrlRouteList.Where(r => r.Connection is { State: RouteState.Registered })
                    .ToLookup(r => r.Target, r => names.GetValueOrDefault(r.Source, r.Source), StringComparer.Ordinal);
                members = [.. hub.Members.OrderBy(m => m.ServerName, StringComparer.Ordinal).Select(m => new MemberRoutez(
                    m.ServerId, m.ServerName, m.Version, m.PoolSize, m.Headers, [.. m.Mismatches], [.. m.Pinning],
                    [.. m.Connections.Select(Connection)], [.. urlsOf[m.ServerId].Order(StringComparer.Ordinal)]))];
            }
            var spec = server.Spec;
            var state = server.IsFenced ? "fenced"
                : gateway.IsHandingOver(cluster) ? "handing-over"
                : !hub.Relaying ? "taking-over"
                : "serving";
            clusters.Add(new ClusterRoutez(cluster, state, spec.Name, server.Version, served.Epoch, server.Placement.Endpoint,
                spec.PoolSize, [.. spec.EffectivePinnedAccounts], members,
                server.Connections.Count(c => c.State != RouteState.Registered),
                [.. server.Solicitors.Select(r => new SolicitedRoutez(r.Url.ToString(), r.Connected, r.Failures, r.LastError, r.NextDelay?.TotalMilliseconds))],
                server.TlsProblem));
        }
        return new RoutezView(gateway.Identity.GatewayId, gateway.Identity.ServerId, gateway.Identity.ServerName, DateTimeOffset.UtcNow, clusters);
    }

    private static ConnectionRoutez Connection(RouteConnection c) => new(
        c.Kind switch { RouteKind.NoPool => "single", RouteKind.Pooled => "pool", RouteKind.Pinned => "pinned", _ => "handshake" },
        c.Solicited is not null,
        c.Kind == RouteKind.Pooled ? c.PoolIndex : null,
        c.PinnedAccount,
        c.Remote,
        c.Rtt?.TotalMilliseconds,
        c.MessagesIn, c.BytesIn, c.MessagesOut, c.BytesOut,
        c.RemoteInterest.Count,
        c.Member?.AnnouncedByAccount.Values.Where(a => ReferenceEquals(a.Connection, c)).Sum(a => a.Keys.Count) ?? 0,
        c.Out.Pending,
        c.Started,
        c.Accounts.ToDictionary(a => a.Key, a => new AccountRoutez(a.Value.MessagesIn, a.Value.BytesIn, a.Value.MessagesOut, a.Value.BytesOut),
            StringComparer.Ordinal),
        new CompressionRoutez(c.Compression, c.CompressedIn.Wire, c.CompressedIn.Decoded, c.Out.CompressedIn, c.Out.CompressedOut));
}

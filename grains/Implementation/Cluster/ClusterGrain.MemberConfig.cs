using System.Text;
using Nats.OrleansRoutes.Config.Cluster;
using Nats.OrleansRoutes.Config.Output;
using Nats.OrleansRoutes.Config.Validation;

namespace Nats.OrleansRoutes.Grains.Cluster;

// The configuration a member server uses to join the cluster through the service.
public sealed partial class ClusterGrain
{
    public async Task<string> MemberConfig(string serverName, string? listen, string passwordPlaceholder, string? serverVersion, MemberTlsFiles? tls)
    {
        if (Names.Check(serverName, "server name") is { } problem)
            throw new ClusterRequestException(problem);
        var version = NatsServerVersion.V2_15;
        if (serverVersion is not null && !NatsServerVersions.TryParse(serverVersion, out version))
            throw new ClusterRequestException($"--server-version \"{serverVersion}\" is not a supported nats-server version (2.9, 2.10 or 2.15)");
        var spec = Spec;
        if (spec.Tls is not null && tls is null)
            throw new ClusterRequestException($"cluster {Key} uses TLS on routes: give the member's own certificate, key and CA (--tls-cert, --tls-key, --tls-ca)");
        if (spec.Tls is null && tls is not null)
            throw new ClusterRequestException($"cluster {Key} does not use TLS on routes: leave out --tls-cert, --tls-key and --tls-ca, or give the cluster a tls block first");
        var placement = await EnsurePlacement()
            ?? throw new ClusterRequestException($"cluster {Key} is not placed on a gateway yet: no gateway is running (start one with natsroutes gateway)");

        // Members list every gateway of the cluster's failover group that can serve the port:
        // whichever holds the lease accepts.
        var group = State.Placement?.Group ?? GatewayRegistration.DefaultGroup;
        var gateways = await Directory.List();
        var hosts = gateways
            .Where(g => g.Registration.Group == group && g.Registration.PortFrom <= placement.Port && placement.Port <= g.Registration.PortTo)
            .Select(g => g.Registration.Host)
            .Append(placement.Host)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();

        var user = State.Credential?.User ?? spec.Authorization?.User ?? "route";
        var credentials = new Secret(passwordPlaceholder);
        var member = new ClusterSpec
        {
            Name = spec.Name,
            Host = ListenHost(listen),
            Port = ListenPort(listen),
            NoAdvertise = spec.NoAdvertise,
            Authorization = new RouteAuthorization { User = user, Password = credentials, Timeout = spec.Authorization?.Timeout },
            Routes = new EquatableList<RouteUrl>(hosts.Select(h => new RouteUrl("nats-route", h, placement.Port, user, credentials))),
            PoolSize = spec.PoolSize,
            PinnedAccounts = spec.PinnedAccounts,
            Compression = spec.Compression,
            PingInterval = spec.PingInterval,
            PingMax = spec.PingMax,
            WriteDeadline = spec.WriteDeadline,
            WriteTimeout = spec.WriteTimeout,
            ConnectBackoff = spec.ConnectBackoff,
            Permissions = spec.Permissions,
            Tls = MemberTls(spec.Tls, tls, version),
            Server = spec.Server,
        };
        if (version != NatsServerVersion.V2_15)
        {
            // Older servers refuse these options ("unknown field"): write_deadline and
            // write_timeout came in 2.11.11, connect_backoff in 2.12.
            member = member with { WriteDeadline = null, WriteTimeout = null, ConnectBackoff = false };
        }
        if (version == NatsServerVersion.V2_9)
        {
            // 2.9 has no pool and pins nothing (the gateway sends such a member every account on
            // its one route), and knows no compression or route timers.
            member = member with
            {
                PoolSize = ClusterSpec.DefaultPoolSize,
                PinnedAccounts = EquatableList<string>.Empty,
                Compression = CompressionSpec.Accept,
                PingInterval = null,
                PingMax = null,
            };
        }
        var text = new StringBuilder();
        text.Append("# Member configuration for cluster ").Append(Key).Append(", server ").Append(serverName).Append('\n');
        text.Append("# Routes go to every gateway that can serve the cluster; only the one holding it accepts.\n");
        if (version == NatsServerVersion.V2_9)
            text.Append("# For nats-server 2.9: no pool_size, accounts or compression (2.9 has no route pools); one route carries every account.\n");
        text.Append("server_name: ").Append(ClusterBlockWriter.Quote(serverName)).Append('\n');
        text.Append(ClusterBlockWriter.Write(member, SecretMode.Reveal));
        return text.ToString();
    }

    /// <summary>
    /// The cluster's TLS settings with the member's own files. Pinned certificates are left out: the
    /// spec pins the members' certificates for the gateway, not the gateway's for the members.
    /// </summary>
    private static RouteTls? MemberTls(RouteTls? cluster, MemberTlsFiles? files, NatsServerVersion version) =>
        cluster is null || files is null ? null : cluster with
        {
            CertFile = files.CertFile,
            KeyFile = files.KeyFile,
            CaFile = files.CaFile,
            PinnedCerts = EquatableList<string>.Empty,
            // Unknown to 2.9 ("unknown field").
            HandshakeFirst = version != NatsServerVersion.V2_9 && cluster.HandshakeFirst,
            MinVersion = version == NatsServerVersion.V2_9 ? null : cluster.MinVersion,
        };

    private static string ListenHost(string? listen) =>
        listen is null ? "0.0.0.0" : listen.LastIndexOf(':') is var colon and > 0 ? listen[..colon] : listen;

    private static int ListenPort(string? listen)
    {
        if (listen is null)
            return 6222;
        var colon = listen.LastIndexOf(':');
        return colon > 0 && int.TryParse(listen.AsSpan(colon + 1), System.Globalization.CultureInfo.InvariantCulture, out var port)
            ? port
            : throw new ClusterRequestException($"--listen \"{listen}\" is not HOST:PORT");
    }
}

using System.Text.Json.Serialization;

namespace Nats.OrleansRoutes.Config.Cluster;

/// <summary>
/// Every option of a nats-server <c>cluster {}</c> block, typed and immutable, with nats-server
/// 2.15.1's defaults, plus the server-level context the block depends on. Secrets are
/// <see cref="Secret"/>s, so printing a spec never reveals them. Compare specs with <c>==</c>.
/// </summary>
public sealed record ClusterSpec
{
    public const int DefaultPoolSize = 3;
    public static readonly TimeSpan DefaultAuthTimeout = TimeSpan.FromSeconds(2);
    /// <summary>Routes never ping less often than this (2.10+ caps <c>ping_interval</c> for routes).</summary>
    public static readonly TimeSpan MaxRoutePingInterval = TimeSpan.FromSeconds(30);

    /// <summary>The cluster name; null means nats-server would generate a dynamic one.</summary>
    public string? Name { get; init; }

    /// <summary><c>host</c>/<c>net</c>, or the host part of <c>listen</c>.</summary>
    public string Host { get; init; } = "0.0.0.0";

    /// <summary><c>port</c>, or the port of <c>listen</c>; -1 asks for a random port; 0 = not set.</summary>
    public int Port { get; init; }

    /// <summary><c>advertise</c>/<c>cluster_advertise</c>: host[:port] announced to peers.</summary>
    public string? Advertise { get; init; }

    public bool NoAdvertise { get; init; }

    /// <summary>Explicit routes, dialled and retried for ever.</summary>
    public EquatableList<RouteUrl> Routes { get; init; } = EquatableList<RouteUrl>.Empty;

    /// <summary>Retries for implicit (gossiped) routes; 0 means one attempt.</summary>
    public int ConnectRetries { get; init; }

    /// <summary>Double the redial delay from 1 s up to 30 s (2.12+).</summary>
    public bool ConnectBackoff { get; init; }

    public RouteAuthorization? Authorization { get; init; }

    public ClusterPermissions? Permissions { get; init; }

    public RouteTls? Tls { get; init; }

    /// <summary>Pool connections per server pair; -1 disables pooling and pinning (pre-2.10 behaviour).</summary>
    public int PoolSize { get; init; } = DefaultPoolSize;

    /// <summary>Accounts with a dedicated route, as configured (without the automatic system account).</summary>
    public EquatableList<string> PinnedAccounts { get; init; } = EquatableList<string>.Empty;

    public CompressionSpec Compression { get; init; } = CompressionSpec.Accept;

    public TimeSpan? PingInterval { get; init; }

    public int? PingMax { get; init; }

    public TimeSpan? WriteDeadline { get; init; }

    /// <summary><c>default</c>, <c>close</c> or <c>retry</c>.</summary>
    public string? WriteTimeout { get; init; }

    public ServerContext Server { get; init; } = new();

    /// <summary>Pooling is on (pool_size ≥ 1); with -1 the server behaves as a no-pool peer.</summary>
    [JsonIgnore]
    public bool PoolingEnabled => PoolSize > 0;

    /// <summary>
    /// The pinned accounts the server really uses: the configured ones plus the system account,
    /// which 2.10+ pins automatically when pooling is on (unless <c>no_system_account</c>).
    /// </summary>
    [JsonIgnore]
    public IReadOnlyList<string> EffectivePinnedAccounts
    {
        get
        {
            if (!PoolingEnabled)
                return [];
            if (Server.NoSystemAccount || PinnedAccounts.Contains(Server.SystemAccount))
                return PinnedAccounts;
            return [.. PinnedAccounts, Server.SystemAccount];
        }
    }

    /// <summary>The CONNECT deadline: configured, else TLS timeout + 1 s with TLS, else 2 s. Only with authorization.</summary>
    [JsonIgnore]
    public TimeSpan AuthTimeout => Authorization?.Timeout
        ?? (Tls is { } tls ? TimeSpan.FromSeconds(tls.Timeout + 1) : DefaultAuthTimeout);

    /// <summary>The route listen endpoint as host:port.</summary>
    [JsonIgnore]
    public string ListenEndpoint => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}

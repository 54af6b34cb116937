using Nats.OrleansRoutes.Client;

namespace Nats.OrleansRoutes.Silo;

/// <summary>What `natsroutes silo` (and `natsroutes dev`) is told on its command line.</summary>
public sealed record SiloHostOptions
{
    /// <summary>The deployment's Redis (membership and grain state); null runs everything in memory (dev mode, one process).</summary>
    public RedisSettings? Redis { get; init; }

    /// <summary>Address the silo listens on and announces to other silos and to clients.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>Silo-to-silo port; 0 picks a free one.</summary>
    public int Port { get; init; } = 11111;

    /// <summary>Port where clients (CLI, client library, gateways) call grains; 0 picks a free one.</summary>
    public int GatewayPort { get; init; } = 30000;

    /// <summary>HTTP port of /healthz, /readyz and /status; 0 picks a free one.</summary>
    public int HealthPort { get; init; }

    /// <summary>HTTP port of the Orleans Dashboard; null: no dashboard.</summary>
    public int? DashboardPort { get; init; }

    /// <summary>The deployment's name: Orleans' cluster and service id, and the prefix of its Redis keys.</summary>
    public string KeyPrefix { get; init; } = "natsroutes";

    /// <summary>32 bytes, base64, sealing solicit credentials at rest; the same on every silo and gateway.</summary>
    public string SecretsKey { get; init; } = "";

    /// <summary>Mutual TLS between silos and with clients and gateways; null for plain TCP (dev mode).</summary>
    public TransportTls? Tls { get; init; }

    /// <summary>How long a silo may be silent before the others declare it dead; null keeps Orleans' default.</summary>
    public TimeSpan? DeadAfter { get; init; }
}

namespace Nats.OrleansRoutes.Silo;

/// <summary>What `natsroutes silo` is told on its command line.</summary>
public sealed record SiloHostOptions
{
    /// <summary>host:port of Redis; null runs everything in memory (dev mode, one process).</summary>
    public string? Redis { get; init; }

    /// <summary>Address the silo listens on and announces to others.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>Grain call port; 0 picks a free one.</summary>
    public int Port { get; init; } = 11111;

    /// <summary>HTTP port of /healthz, /readyz and /status; 0 picks a free one.</summary>
    public int HealthPort { get; init; }

    public string KeyPrefix { get; init; } = "natsroutes";

    /// <summary>32 bytes, base64, sealing solicit credentials at rest; the same on every silo and gateway.</summary>
    public string SecretsKey { get; init; } = "";

    /// <summary>Silence after which a silo is declared dead; null keeps the runtime default.</summary>
    public TimeSpan? DeadAfter { get; init; }
}

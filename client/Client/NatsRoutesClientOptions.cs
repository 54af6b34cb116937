namespace Nats.OrleansRoutes.Client;

/// <summary>How to reach the service. Give <see cref="Redis"/> (a deployment) or <see cref="Silo"/> (a dev instance).</summary>
public sealed record NatsRoutesClientOptions
{
    /// <summary>The deployment's Redis: silos are found through Orleans' membership table there.</summary>
    public RedisSettings? Redis { get; init; }

    /// <summary>The client gateway endpoint (host:port) of a single silo: how the CLI reaches <c>natsroutes dev</c>.</summary>
    public string? Silo { get; init; }

    /// <summary>The deployment's name: Orleans' cluster and service id, and the prefix of its Redis keys.</summary>
    public string KeyPrefix { get; init; } = "natsroutes";

    /// <summary>How long one call may take.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Mutual TLS to the silos; null for plain TCP (dev mode, or a network nobody else can reach).</summary>
    public TransportTls? Tls { get; init; }
}

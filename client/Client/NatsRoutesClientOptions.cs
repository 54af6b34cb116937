namespace Nats.OrleansRoutes.Client;

/// <summary>How to reach the service.</summary>
public sealed record NatsRoutesClientOptions
{
    /// <summary>host:port of the deployment's Redis; silos are found through its membership table.</summary>
    public string? Redis { get; init; }

    /// <summary>A single silo endpoint (host:port) to call directly: how the CLI reaches <c>natsroutes dev</c>.</summary>
    public string? Silo { get; init; }

    /// <summary>The deployment's key prefix in Redis.</summary>
    public string KeyPrefix { get; init; } = "natsroutes";

    /// <summary>How long one call may take.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(15);
}

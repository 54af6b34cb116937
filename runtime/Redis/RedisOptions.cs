namespace Nats.OrleansRoutes.Runtime.Redis;

/// <summary>Where Redis is and how long to wait for it. Failures surface fast, as clear errors.</summary>
public sealed class RedisOptions
{
    /// <summary>host:port of Redis (or a StackExchange.Redis configuration string).</summary>
    public string Endpoint { get; set; } = "127.0.0.1:6379";

    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long one Redis command may take before the operation fails.</summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(2);
}

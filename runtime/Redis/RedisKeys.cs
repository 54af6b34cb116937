namespace Nats.OrleansRoutes.Runtime.Redis;

/// <summary>
/// Every Redis key the runtime uses. Each key carries a hash tag (<c>{…}</c>), so scripts that
/// touch several keys of one tag work on Redis Cluster, Azure Cache and ElastiCache cluster mode.
/// The layout is documented in docs/redis-keys.md.
/// </summary>
public sealed class RedisKeys(string prefix)
{
    /// <summary>Hash: <c>version</c>, <c>silo:&lt;id&gt;</c> (JSON entry), <c>hb:&lt;id&gt;</c> (heartbeat, unix ms).</summary>
    public string Membership { get; } = $"{{{prefix}:membership}}";

    /// <summary>Hash of one grain's state: <c>v</c> (version), <c>d</c> (data; absent after a clear).</summary>
    public string GrainState(Identity.GrainId grain) => $"{{{prefix}:grain:{grain.Type}/{grain.Key}}}";

    /// <summary>Pub/sub channel of one change-event topic.</summary>
    public string Channel(string topic) => $"{prefix}:events:{topic}";
}

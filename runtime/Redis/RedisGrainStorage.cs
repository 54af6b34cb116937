using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Nats.OrleansRoutes.Runtime.Hosting;
using Nats.OrleansRoutes.Runtime.Identity;
using Nats.OrleansRoutes.Runtime.Storage;

namespace Nats.OrleansRoutes.Runtime.Redis;

/// <summary>Grain state in Redis: one hash per grain; writes and clears are one Lua compare-and-set each.</summary>
public sealed class RedisGrainStorage(RedisConnection redis, IOptions<RuntimeOptions> options) : IGrainStorage
{
    // KEYS[1] state hash; ARGV[1] expected version; ARGV[2] data; ARGV[3] deadline (unix ms).
    // Returns {1, new}, {0, actual} (stale) or {-1, actual} (ran after its deadline: refused, because
    // the caller has already been told the write failed — a late write must never land).
    private const string WriteScript = """
        local t = redis.call('TIME')
        if t[1] * 1000 + math.floor(t[2] / 1000) > tonumber(ARGV[3]) then
          return {-1, tonumber(redis.call('HGET', KEYS[1], 'v') or '0')}
        end
        local v = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
        if v ~= tonumber(ARGV[1]) then return {0, v} end
        redis.call('HSET', KEYS[1], 'v', v + 1, 'd', ARGV[2])
        return {1, v + 1}
        """;

    // A clear leaves a tombstone: the version moves on, the data goes.
    private const string ClearScript = """
        local t = redis.call('TIME')
        if t[1] * 1000 + math.floor(t[2] / 1000) > tonumber(ARGV[3]) then
          return {-1, tonumber(redis.call('HGET', KEYS[1], 'v') or '0')}
        end
        local v = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
        if v ~= tonumber(ARGV[1]) then return {0, v} end
        redis.call('HSET', KEYS[1], 'v', v + 1)
        redis.call('HDEL', KEYS[1], 'd')
        return {1, v + 1}
        """;

    private readonly RedisKeys _keys = new(options.Value.KeyPrefix);

    public async Task<StoredState> ReadAsync(GrainId grain, CancellationToken cancellationToken)
    {
        var values = await redis.RunAsync(db => db.HashGetAsync(_keys.GrainState(grain), ["v", "d"]), $"read {grain}");
        var version = values[0].IsNull ? 0 : (long)values[0];
        return new StoredState(version, values[1].IsNull ? null : (byte[]?)values[1]);
    }

    public Task<long> WriteAsync(GrainId grain, long expectedVersion, byte[] data, CancellationToken cancellationToken) =>
        CompareAndSetAsync(grain, WriteScript, expectedVersion, data, "write");

    public Task<long> ClearAsync(GrainId grain, long expectedVersion, CancellationToken cancellationToken) =>
        CompareAndSetAsync(grain, ClearScript, expectedVersion, RedisValue.EmptyString, "clear");

    private async Task<long> CompareAndSetAsync(GrainId grain, string script, long expectedVersion, RedisValue data, string what)
    {
        var deadline = redis.WriteDeadline();
        var result = (RedisResult[])(await redis.RunAsync(
            db => db.ScriptEvaluateAsync(script, [_keys.GrainState(grain)], [expectedVersion, data, deadline]), $"{what} {grain}"))!;
        var outcome = (long)result[0];
        var version = (long)result[1];
        if (outcome == -1)
            throw redis.LateWrite($"{what} {grain}", deadline);
        if (outcome != 1)
            throw new InconsistentStateException(grain, expectedVersion, version);
        return version;
    }
}

using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Nats.OrleansRoutes.Runtime.Hosting;
using Nats.OrleansRoutes.Runtime.Membership;

namespace Nats.OrleansRoutes.Runtime.Redis;

/// <summary>
/// The membership table as one Redis hash: <c>version</c>, <c>silo:&lt;id&gt;</c> entries (JSON)
/// and <c>hb:&lt;id&gt;</c> heartbeats. Entry changes are Lua compare-and-set on <c>version</c>.
/// </summary>
public sealed class RedisMembershipTable(RedisConnection redis, IOptions<RuntimeOptions> options) : IMembershipTable
{
    // KEYS[1] table; ARGV[1] expected version; ARGV[2] field; ARGV[3] value (empty = delete entry and
    // heartbeat); ARGV[4] deadline (unix ms): a write that runs late is refused, never applied.
    private const string WriteScript = """
        local t = redis.call('TIME')
        if t[1] * 1000 + math.floor(t[2] / 1000) > tonumber(ARGV[4]) then return -1 end
        local v = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
        if v ~= tonumber(ARGV[1]) then return 0 end
        if ARGV[3] == '' then
          redis.call('HDEL', KEYS[1], 'silo:' .. ARGV[2], 'hb:' .. ARGV[2])
        else
          redis.call('HSET', KEYS[1], 'silo:' .. ARGV[2], ARGV[3])
        end
        redis.call('HSET', KEYS[1], 'version', v + 1)
        return 1
        """;

    private readonly string _key = new RedisKeys(options.Value.KeyPrefix).Membership;

    public async Task<MembershipSnapshot> ReadAsync(CancellationToken cancellationToken)
    {
        var fields = await redis.RunAsync(db => db.HashGetAllAsync(_key), "read membership");
        long version = 0;
        var entries = new List<SiloEntry>();
        var heartbeats = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var field in fields)
        {
            var name = (string)field.Name!;
            if (name == "version")
                version = (long)field.Value;
            else if (name.StartsWith("silo:", StringComparison.Ordinal))
                entries.Add(JsonSerializer.Deserialize<SiloEntry>((string)field.Value!)!);
            else if (name.StartsWith("hb:", StringComparison.Ordinal))
                heartbeats[name[3..]] = DateTimeOffset.FromUnixTimeMilliseconds((long)field.Value);
        }
        return new MembershipSnapshot(version, entries, heartbeats);
    }

    public Task<bool> TryWriteAsync(SiloEntry entry, long expectedVersion, CancellationToken cancellationToken) =>
        CompareAndSetAsync(entry.SiloId, JsonSerializer.Serialize(entry), expectedVersion, $"write membership entry {entry.SiloId}");

    public Task<bool> TryRemoveAsync(string siloId, long expectedVersion, CancellationToken cancellationToken) =>
        CompareAndSetAsync(siloId, "", expectedVersion, $"remove membership entry {siloId}");

    public Task HeartbeatAsync(string siloId, DateTimeOffset at, CancellationToken cancellationToken) =>
        redis.RunAsync(db => db.HashSetAsync(_key, $"hb:{siloId}", at.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)), "heartbeat");

    private async Task<bool> CompareAndSetAsync(string siloId, string value, long expectedVersion, string what)
    {
        var deadline = redis.WriteDeadline();
        var result = (long)await redis.RunAsync(db => db.ScriptEvaluateAsync(WriteScript, [_key], [expectedVersion, siloId, value, deadline]), what);
        if (result == -1)
            throw redis.LateWrite(what, deadline);
        return result == 1;
    }
}

namespace Nats.OrleansRoutes.Runtime.Membership;

/// <summary>The membership table in process memory: the single-process dev mode and tests.</summary>
public sealed class InMemoryMembershipTable : IMembershipTable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, SiloEntry> _entries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _heartbeats = new(StringComparer.Ordinal);
    private long _version;

    public Task<MembershipSnapshot> ReadAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
            return Task.FromResult(new MembershipSnapshot(_version, [.. _entries.Values], new Dictionary<string, DateTimeOffset>(_heartbeats)));
    }

    public Task<bool> TryWriteAsync(SiloEntry entry, long expectedVersion, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_version != expectedVersion)
                return Task.FromResult(false);
            _entries[entry.SiloId] = entry;
            _version++;
            return Task.FromResult(true);
        }
    }

    public Task<bool> TryRemoveAsync(string siloId, long expectedVersion, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_version != expectedVersion)
                return Task.FromResult(false);
            _entries.Remove(siloId);
            _heartbeats.Remove(siloId);
            _version++;
            return Task.FromResult(true);
        }
    }

    public Task HeartbeatAsync(string siloId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        lock (_lock)
            _heartbeats[siloId] = at;
        return Task.CompletedTask;
    }
}

using System.Collections.Concurrent;
using Nats.OrleansRoutes.Runtime.Identity;

namespace Nats.OrleansRoutes.Runtime.Storage;

/// <summary>Grain state in process memory, for the single-process dev mode and for tests.</summary>
public sealed class InMemoryGrainStorage : IGrainStorage
{
    private readonly ConcurrentDictionary<GrainId, StoredState> _states = new();

    public Task<StoredState> ReadAsync(GrainId grain, CancellationToken cancellationToken) =>
        Task.FromResult(_states.TryGetValue(grain, out var state) ? state with { Data = (byte[]?)state.Data?.Clone() } : default);

    public Task<long> WriteAsync(GrainId grain, long expectedVersion, byte[] data, CancellationToken cancellationToken)
    {
        var copy = (byte[])data.Clone();
        while (true)
        {
            var current = _states.GetValueOrDefault(grain);
            if (current.Version != expectedVersion)
                throw new InconsistentStateException(grain, expectedVersion, current.Version);
            var next = new StoredState(current.Version + 1, copy);
            var swapped = current.Version == 0 ? _states.TryAdd(grain, next) : _states.TryUpdate(grain, next, current);
            if (swapped)
                return Task.FromResult(next.Version);
        }
    }

    public Task<long> ClearAsync(GrainId grain, long expectedVersion, CancellationToken cancellationToken)
    {
        // A tombstone: the version moves on, the data goes.
        while (true)
        {
            var current = _states.GetValueOrDefault(grain);
            if (current.Version != expectedVersion)
                throw new InconsistentStateException(grain, expectedVersion, current.Version);
            var tombstone = new StoredState(current.Version + 1, null);
            var swapped = current.Version == 0 ? _states.TryAdd(grain, tombstone) : _states.TryUpdate(grain, tombstone, current);
            if (swapped)
                return Task.FromResult(tombstone.Version);
        }
    }
}

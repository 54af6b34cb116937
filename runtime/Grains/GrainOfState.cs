using Nats.OrleansRoutes.Runtime.Storage;

namespace Nats.OrleansRoutes.Runtime.Grains;

/// <summary>
/// A grain with persisted state. The state is loaded before the first call. Every write is a
/// compare-and-set on the version read: if another activation wrote in between, the write fails,
/// this activation is thrown away and the runtime retries the call on a fresh one — so a
/// duplicate activation during a membership change can never overwrite newer state.
/// </summary>
public abstract class Grain<TState> : Grain where TState : class, new()
{
    /// <summary>The state as last read or written.</summary>
    protected TState State { get; set; } = new();

    /// <summary>True when storage holds state for this grain (written and not cleared since).</summary>
    protected bool StateExists { get; private set; }

    /// <summary>The storage version of <see cref="State"/>; 0 when nothing is stored.</summary>
    protected long StateVersion { get; private set; }

    /// <summary>Writes <see cref="State"/>; throws <see cref="InconsistentStateException"/> when it is stale.</summary>
    protected async Task WriteStateAsync(CancellationToken cancellationToken = default)
    {
        var data = Context.Serializer.SerializeState(State);
        StateVersion = await Context.Storage.WriteAsync(GrainId, StateVersion, data, cancellationToken);
        StateExists = true;
    }

    /// <summary>Removes the stored state (compare-and-set like a write) and resets <see cref="State"/>.</summary>
    protected async Task ClearStateAsync(CancellationToken cancellationToken = default)
    {
        StateVersion = await Context.Storage.ClearAsync(GrainId, StateVersion, cancellationToken);
        StateExists = false;
        State = new TState();
    }

    internal override async Task LoadStateAsync(CancellationToken cancellationToken)
    {
        var stored = await Context.Storage.ReadAsync(GrainId, cancellationToken);
        StateVersion = stored.Version;
        StateExists = stored.Data is not null;
        State = stored.Data is null ? new TState() : Context.Serializer.DeserializeState<TState>(stored.Data);
    }
}

using System.Threading.Channels;
using Nats.OrleansRoutes.Runtime.Grains;
using Nats.OrleansRoutes.Runtime.Identity;
using Nats.OrleansRoutes.Runtime.Serialization;
using Nats.OrleansRoutes.Runtime.Storage;

namespace Nats.OrleansRoutes.Runtime.Activation;

/// <summary>
/// One in-memory instance of a grain on its owner silo. Calls queue up and run one at a time
/// (turns), so grain code never runs concurrently with itself. The first turn loads the state and
/// runs OnActivateAsync; a deactivation is queued like a call, so it runs after the calls ahead of it.
/// </summary>
internal sealed class Activation : IGrainContext
{
    private readonly Channel<WorkItem> _queue = Channel.CreateUnbounded<WorkItem>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Grain _grain;
    private readonly Action<Activation> _onDeactivated;
    private Task _loop = Task.CompletedTask;
    private int _state; // 0 active, 1 deactivating
    private int _pending; // queued or running work items
    private bool _deactivateRequested;

    public Activation(GrainId id, Grain grain, IGrainFactory factory, IGrainStorage storage, GrainSerializer serializer,
        TimeProvider time, Action<Activation> onDeactivated)
    {
        GrainId = id;
        _grain = grain;
        GrainFactory = factory;
        Storage = storage;
        Serializer = serializer;
        TimeProvider = time;
        _onDeactivated = onDeactivated;
        LastUsed = time.GetTimestamp();
        grain.Attach(this);
    }

    /// <summary>Starts the turn loop (only the activation that won the directory slot is started).</summary>
    public void Start() => _loop = Task.Run(RunAsync);

    public GrainId GrainId { get; }

    public IGrainFactory GrainFactory { get; }

    public IGrainStorage Storage { get; }

    public GrainSerializer Serializer { get; }

    public TimeProvider TimeProvider { get; }

    /// <summary>Timestamp (TimeProvider ticks) of the last call.</summary>
    public long LastUsed { get; private set; }

    public bool IsIdle => Volatile.Read(ref _pending) == 0;

    public Grain Grain => _grain;

    /// <summary>Queues a work item; false once the activation is deactivating (the caller picks a new one).</summary>
    public bool TryEnqueue(WorkItem item)
    {
        if (Volatile.Read(ref _state) != 0)
            return false;
        Interlocked.Increment(ref _pending);
        if (_queue.Writer.TryWrite(item))
            return true;
        Interlocked.Decrement(ref _pending);
        return false;
    }

    /// <summary>Queues a deactivation after whatever is already queued; completes when it has happened.</summary>
    public Task DeactivateAsync()
    {
        var item = new DeactivateItem();
        return _queue.Writer.TryWrite(item) ? item.Done.Task : _loop;
    }

    public void DeactivateOnIdle() => _deactivateRequested = true;

    public Task Completion => _loop;

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        try
        {
            await _grain.LoadStateAsync(CancellationToken.None);
            await _grain.OnActivateAsync(CancellationToken.None);
        }
        catch (Exception e)
        {
            // The grain cannot run: fail what is queued and let the next call try a new activation.
            Stop();
            while (reader.TryRead(out var queued))
                queued.Fail(e);
            return;
        }

        while (await reader.WaitToReadAsync())
        {
            while (reader.TryRead(out var item))
            {
                if (item is DeactivateItem deactivate)
                {
                    await DeactivateNowAsync(runHook: true);
                    deactivate.Done.TrySetResult();
                    Redirect(reader);
                    return;
                }
                LastUsed = TimeProvider.GetTimestamp();
                var outcome = await item.RunAsync(_grain);
                Interlocked.Decrement(ref _pending);
                if (outcome == TurnOutcome.DiscardActivation)
                {
                    // Memory can no longer be trusted (another activation wrote newer state, or a
                    // write failed): the activation goes away without its hook, and everything queued
                    // behind it runs on a fresh activation that reloads the stored state.
                    await DeactivateNowAsync(runHook: false);
                    Redirect(reader);
                    return;
                }
                if (_deactivateRequested)
                {
                    await DeactivateNowAsync(runHook: true);
                    Redirect(reader);
                    return;
                }
            }
        }
    }

    private async Task DeactivateNowAsync(bool runHook)
    {
        Stop();
        if (runHook)
        {
            try
            {
                await _grain.OnDeactivateAsync(CancellationToken.None);
            }
            catch (Exception)
            {
                // A failing hook must not keep the activation alive.
            }
        }
    }

    private void Stop()
    {
        Volatile.Write(ref _state, 1);
        _queue.Writer.TryComplete();
        _onDeactivated(this);
    }

    /// <summary>Calls that were queued behind a deactivation go back to the dispatcher for a new activation.</summary>
    private static void Redirect(ChannelReader<WorkItem> reader)
    {
        while (reader.TryRead(out var item))
            item.Retry();
    }

    private sealed class DeactivateItem : WorkItem
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override Task<TurnOutcome> RunAsync(Grain grain) => Task.FromResult(TurnOutcome.Done);

        public override void Fail(Exception error) => Done.TrySetResult();

        public override void Retry() => Done.TrySetResult();
    }
}

internal enum TurnOutcome
{
    Done,
    /// <summary>The activation's in-memory state no longer matches storage.</summary>
    DiscardActivation,
}

/// <summary>Something an activation runs in a turn.</summary>
internal abstract class WorkItem
{
    public abstract Task<TurnOutcome> RunAsync(Grain grain);

    /// <summary>The activation could not run it.</summary>
    public abstract void Fail(Exception error);

    /// <summary>The activation went away before running it; run it on a new activation.</summary>
    public abstract void Retry();
}

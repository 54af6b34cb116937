using Nats.OrleansRoutes.Runtime.Grains;
using Nats.OrleansRoutes.Runtime.Identity;

namespace Nats.OrleansRoutes.TestGrains;

/// <summary>Where a call ran: silo and activation, to see that one grain has one activation.</summary>
public sealed record Placement(string Silo, Guid Activation);

[GrainType("test-counter")]
public interface ICounterGrain : IGrainWithStringKey
{
    /// <summary>Adds to the counter and records the caller's tag; returns the new total.</summary>
    Task<long> Add(long delta, string tag);

    Task<long> Get();

    /// <summary>Every tag added, in order: no update may be lost.</summary>
    Task<IReadOnlyList<string>> Tags();

    Task<Placement> WhereAmI();

    /// <summary>Sleeps inside a turn and reports whether another call ran at the same time.</summary>
    Task<bool> OverlapProbe(int milliseconds);

    Task Fail(string message);
}

public sealed class CounterState
{
    public long Total { get; set; }
    public List<string> Tags { get; set; } = [];
}

public sealed class CounterGrain(SiloIdentity silo) : Grain<CounterState>, ICounterGrain
{
    private readonly Guid _activation = Guid.NewGuid();
    private int _inside;

    public async Task<long> Add(long delta, string tag)
    {
        State.Total += delta;
        State.Tags.Add(tag);
        await WriteStateAsync();
        return State.Total;
    }

    public Task<long> Get() => Task.FromResult(State.Total);

    public Task<IReadOnlyList<string>> Tags() => Task.FromResult<IReadOnlyList<string>>(State.Tags);

    public Task<Placement> WhereAmI() => Task.FromResult(new Placement(silo.Name, _activation));

    public async Task<bool> OverlapProbe(int milliseconds)
    {
        var overlapped = Interlocked.Increment(ref _inside) > 1;
        await Task.Delay(milliseconds);
        Interlocked.Decrement(ref _inside);
        return overlapped;
    }

    public Task Fail(string message) => throw new InvalidOperationException(message);
}

/// <summary>A name for the silo process, given by the test that starts it.</summary>
public sealed record SiloIdentity(string Name);

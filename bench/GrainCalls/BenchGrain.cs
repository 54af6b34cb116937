using Nats.OrleansRoutes.Grains;

namespace Nats.OrleansRoutes.Bench.GrainCalls;

/// <summary>A small reply, about the size of an authorization decision.</summary>
public sealed record BenchReply(bool Allowed, string Reason, long Version);

[Alias("bench")]
public interface IBenchGrain : IGrainWithStringKey
{
    /// <summary>Read-only: answers from memory.</summary>
    Task<BenchReply> Read(int n);

    /// <summary>State-writing: one ETag-checked write to storage per call.</summary>
    Task<long> Write(int n);
}

public sealed class BenchState
{
    public long Total { get; set; }
}

[GrainType("bench")]
public sealed class BenchGrain([PersistentState("bench", GrainStorage.Name)] IPersistentState<BenchState> state) : Grain, IBenchGrain
{
    public Task<BenchReply> Read(int n) => Task.FromResult(new BenchReply(true, "ok", state.State.Total + n));

    public async Task<long> Write(int n)
    {
        state.State.Total += n;
        await state.WriteStateAsync();
        return state.State.Total;
    }
}

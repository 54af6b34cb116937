using Nats.OrleansRoutes.Runtime.Grains;
using Nats.OrleansRoutes.Runtime.Identity;

namespace Nats.OrleansRoutes.Bench.GrainCalls;

/// <summary>A small reply, about the size of an authorization decision.</summary>
public sealed record BenchReply(bool Allowed, string Reason, long Version);

[GrainType("bench")]
public interface IBenchGrain : IGrainWithStringKey
{
    /// <summary>Read-only: answers from memory.</summary>
    Task<BenchReply> Read(int n);

    /// <summary>State-writing: one compare-and-set to storage per call.</summary>
    Task<long> Write(int n);
}

public sealed class BenchState
{
    public long Total { get; set; }
}

public sealed class BenchGrain : Grain<BenchState>, IBenchGrain
{
    public Task<BenchReply> Read(int n) => Task.FromResult(new BenchReply(true, "ok", State.Total + n));

    public async Task<long> Write(int n)
    {
        State.Total += n;
        await WriteStateAsync();
        return State.Total;
    }
}

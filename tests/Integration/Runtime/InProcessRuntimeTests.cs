using Nats.OrleansRoutes.Runtime.Client;
using Nats.OrleansRoutes.Runtime.Membership;
using Nats.OrleansRoutes.Runtime.Storage;
using Nats.OrleansRoutes.TestGrains;

namespace Nats.OrleansRoutes.Tests.Integration.Runtime;

/// <summary>The runtime's guarantees inside one process: activation, turns, persistence, stale activations.</summary>
public sealed class InProcessRuntimeTests
{
    [Fact]
    public async Task State_persists_across_calls()
    {
        await using var silo = await InProcessSilo.StartAsync("s1");
        var counter = silo.Factory.GetGrain<ICounterGrain>("c1");
        Assert.Equal(2, await counter.Add(2, "a"));
        Assert.Equal(5, await counter.Add(3, "b"));
        Assert.Equal(5, await counter.Get());
        Assert.Equal(["a", "b"], await counter.Tags());
        Assert.Equal("s1", (await counter.WhereAmI()).Silo);
    }

    [Fact]
    public async Task Calls_to_one_grain_never_overlap()
    {
        await using var silo = await InProcessSilo.StartAsync("s1");
        var counter = silo.Factory.GetGrain<ICounterGrain>("turns");
        var probes = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => counter.OverlapProbe(10)));
        Assert.DoesNotContain(true, probes);
        var adds = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => counter.Add(1, $"t{i}")));
        Assert.Equal(100, await counter.Get());
        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), adds.Order());
        Assert.Equal(100, (await counter.Tags()).Distinct().Count());
    }

    [Fact]
    public async Task A_grain_exception_reaches_the_caller_with_its_message()
    {
        await using var silo = await InProcessSilo.StartAsync("s1");
        var error = await Assert.ThrowsAsync<GrainCallException>(() => silo.Factory.GetGrain<ICounterGrain>("e").Fail("broken on purpose"));
        Assert.Equal("broken on purpose", error.Message);
        Assert.Equal(0, await silo.Factory.GetGrain<ICounterGrain>("e").Get());
    }

    [Fact]
    public async Task Idle_activations_are_collected_and_come_back_with_their_state()
    {
        await using var silo = await InProcessSilo.StartAsync("s1", configure: o =>
        {
            o.IdleTimeout = TimeSpan.FromMilliseconds(200);
            o.CollectionInterval = TimeSpan.FromMilliseconds(100);
        });
        var counter = silo.Factory.GetGrain<ICounterGrain>("idle");
        await counter.Add(7, "x");
        var first = await counter.WhereAmI();
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (silo.Silo.ActivationCount > 0 && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        Assert.Equal(0, silo.Silo.ActivationCount);
        Assert.NotEqual(first.Activation, (await counter.WhereAmI()).Activation);
        Assert.Equal(7, await counter.Get());
    }

    [Fact]
    public async Task Two_runtimes_that_both_think_they_own_a_grain_cannot_lose_an_update()
    {
        // Separate membership tables: each silo believes it is alone and owns everything.
        // Shared storage: both activate the same grain. Compare-and-set must keep every write.
        var storage = new InMemoryGrainStorage();
        await using var a = await InProcessSilo.StartAsync("a", storage, new InMemoryMembershipTable());
        await using var b = await InProcessSilo.StartAsync("b", storage, new InMemoryMembershipTable());
        var onA = a.Factory.GetGrain<ICounterGrain>("contested");
        var onB = b.Factory.GetGrain<ICounterGrain>("contested");

        await onA.Add(1, "a1");
        await onB.Add(1, "b1");   // b activates after a1 was written: sees it
        await onA.Add(1, "a2");   // a's activation is stale: its write fails, the call reruns on fresh state
        await onB.Add(1, "b2");   // likewise for b

        // The guarantee is about writes: a stale duplicate may still answer a read from its memory,
        // but it can never overwrite newer state. Every write so far is stored, in order:
        Assert.Equal(["a1", "b1", "a2", "b2"], await onB.Tags());
        // and the stale side's next write lands on top of all of them rather than replacing them.
        Assert.Equal(5, await onA.Add(1, "a3"));
        Assert.Equal(["a1", "b1", "a2", "b2", "a3"], await onA.Tags());
    }
}

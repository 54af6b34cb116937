using System.Diagnostics;
using Nats.OrleansRoutes.Runtime.Client;
using Nats.OrleansRoutes.TestGrains;

namespace Nats.OrleansRoutes.Tests.Integration.Runtime;

/// <summary>The runtime across real processes: silos and clients sharing a real Redis.</summary>
public sealed class MultiSiloTests
{
    [Fact]
    public async Task Every_client_reaches_the_one_activation_of_a_grain()
    {
        await using var cluster = await TestSiloCluster.StartAsync(silos: 3);
        var clients = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => cluster.NewClientAsync()));
        var silosUsed = new HashSet<string>();
        for (var g = 0; g < 12; g++)
        {
            var seen = new HashSet<Placement>();
            foreach (var client in clients)
            {
                for (var i = 0; i < 3; i++)
                    seen.Add(await client.GetGrain<ICounterGrain>($"grain-{g}").WhereAmI());
            }
            var placement = Assert.Single(seen); // one silo, one activation, whoever calls
            silosUsed.Add(placement.Silo);
        }
        Assert.True(silosUsed.Count >= 2, $"12 grains all landed on {string.Join(",", silosUsed)}");
    }

    [Fact]
    public async Task Killing_the_owner_moves_the_grain_to_another_silo_with_its_state()
    {
        await using var cluster = await TestSiloCluster.StartAsync(silos: 3);
        var client = await cluster.NewClientAsync();
        var counter = client.GetGrain<ICounterGrain>("survivor");
        for (var i = 0; i < 5; i++)
            await counter.Add(1, $"before-{i}");
        var owner = (await counter.WhereAmI()).Silo;

        cluster.Silos[owner].Kill(); // kill -9: no goodbye, no flush of anything in memory
        var moved = await RetryAsync(() => counter.WhereAmI(), TimeSpan.FromSeconds(30));

        Assert.NotEqual(owner, moved.Silo);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"before-{i}"), await counter.Tags());
        Assert.Equal(6, await counter.Add(1, "after"));
    }

    [Fact]
    public async Task Twenty_concurrent_clients_lose_no_update()
    {
        await using var cluster = await TestSiloCluster.StartAsync(silos: 2);
        var clients = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => cluster.NewClientAsync()));
        var totals = await Task.WhenAll(clients.Select(async (client, c) =>
        {
            var seen = new List<long>();
            for (var i = 0; i < 10; i++)
                seen.Add(await client.GetGrain<ICounterGrain>("shared").Add(1, $"c{c}-{i}"));
            return seen;
        }));

        foreach (var seen in totals)
            Assert.Equal(seen.Order(), seen); // each client sees the version strictly increase
        Assert.Equal(200, totals.SelectMany(t => t).Distinct().Count()); // every update got its own version
        var tags = await clients[0].GetGrain<ICounterGrain>("shared").Tags();
        Assert.Equal(200, tags.Count);
        Assert.Equal(200, tags.Distinct().Count());
    }

    [Fact]
    public async Task A_redis_outage_fails_calls_fast_and_loses_nothing_committed()
    {
        await using var cluster = await TestSiloCluster.StartAsync(silos: 1, appendOnly: true);
        var client = await cluster.NewClientAsync();
        var counter = client.GetGrain<ICounterGrain>("outage");
        for (var i = 0; i < 10; i++)
            await counter.Add(1, $"committed-{i}");

        await cluster.Redis.StopAsync();
        // Writes need Redis: they fail fast with a clear error instead of hanging.
        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAnyAsync<Exception>(() => counter.Add(1, "during-outage"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(6), $"took {clock.Elapsed}");
        Assert.Contains("Redis", error.Message, StringComparison.Ordinal);

        await cluster.Redis.StartAgainAsync();
        var total = await RetryAsync(() => counter.Add(1, "after"), TimeSpan.FromSeconds(30));
        var tags = await counter.Tags();
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"committed-{i}").Append("after"), tags);
        Assert.Equal(11, total);
    }

    private static async Task<T> RetryAsync<T>(Func<Task<T>> call, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            try
            {
                return await call();
            }
            catch (Exception e) when (e is GrainUnavailableException or GrainCallTimeoutException or GrainCallException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }
}

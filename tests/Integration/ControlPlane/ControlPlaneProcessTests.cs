using System.Diagnostics;
using Nats.OrleansRoutes.Grains;

namespace Nats.OrleansRoutes.Tests.Integration.ControlPlane;

/// <summary>The control plane across real `natsroutes silo` processes (Orleans) sharing a real Redis.</summary>
public sealed class ControlPlaneProcessTests
{
    private const string Conf = """
        cluster {
          name: C1
          listen: 127.0.0.1:-1
          authorization { user: ruser, password: "sup3r-s3cret" }
          pool_size: 3
        }
        """;

    private static readonly ClusterRef Prod = new("acme", "prod");

    [Fact]
    public async Task Killing_the_owner_silo_moves_the_cluster_with_its_state()
    {
        await using var deployment = await SiloDeployment.StartAsync(silos: 3);
        var client = await deployment.NewClientAsync();
        await client.ImportClusterAsync(Prod, Conf, "prod.conf");
        await client.SetClusterOptionAsync(Prod, "pool_size", "5");
        await client.PinAccountAsync(Prod, "ACME");
        var before = await client.GetClusterAsync(Prod);

        var owner = await deployment.HostOfAsync(Prod);
        deployment.Silos[owner].Kill();

        var after = await RetryAsync(() => client.GetClusterAsync(Prod), TimeSpan.FromSeconds(60));
        Assert.NotEqual(owner, await deployment.HostOfAsync(Prod));
        Assert.Equal(before.Version, after.Version);
        Assert.Equal(before.Spec, after.Spec);
        Assert.Equal(5, after.Spec.PoolSize);
        Assert.Equal(["ACME"], after.Spec.PinnedAccounts);
    }

    [Fact]
    public async Task Twenty_concurrent_clients_lose_no_update()
    {
        await using var deployment = await SiloDeployment.StartAsync(silos: 2);
        var first = await deployment.NewClientAsync();
        await first.ImportClusterAsync(Prod, Conf, "prod.conf");
        var clients = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => deployment.NewClientAsync()));

        var versions = await Task.WhenAll(clients.Select(async (client, i) =>
        {
            var seen = new List<long>();
            for (var n = 0; n < 3; n++)
                seen.Add(await client.PinAccountAsync(Prod, $"ACC{i}X{n}"));
            return seen;
        }));

        foreach (var seen in versions)
            Assert.Equal(seen.Order(), seen); // each client sees versions strictly increase
        Assert.Equal(60, versions.SelectMany(v => v).Distinct().Count()); // every update had its own version
        var pinned = (await first.GetClusterAsync(Prod)).Spec.PinnedAccounts;
        Assert.Equal(60, pinned.Count);
        Assert.All(Enumerable.Range(0, 20).SelectMany(i => Enumerable.Range(0, 3).Select(n => $"ACC{i}X{n}")), a => Assert.Contains(a, pinned));
    }

    [Fact]
    public async Task A_redis_outage_fails_calls_fast_and_nothing_committed_is_lost()
    {
        await using var deployment = await SiloDeployment.StartAsync(silos: 1, appendOnly: true);
        var client = await deployment.NewClientAsync();
        await client.ImportClusterAsync(Prod, Conf, "prod.conf");
        await client.PinAccountAsync(Prod, "KEEP");
        var committed = await client.GetClusterAsync(Prod);

        await deployment.Redis.StopAsync();
        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAnyAsync<Exception>(() => client.PinAccountAsync(Prod, "DURING"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(6), $"failing took {clock.Elapsed}");
        Assert.Contains("Redis", error.Message, StringComparison.Ordinal);

        await deployment.Redis.StartAgainAsync();
        var after = await RetryAsync(() => client.GetClusterAsync(Prod), TimeSpan.FromSeconds(30));
        Assert.Equal(committed.Spec, after.Spec);
        Assert.Equal(["KEEP"], after.Spec.PinnedAccounts);
        Assert.Equal(committed.Version + 1, await RetryAsync(() => client.PinAccountAsync(Prod, "AFTER"), TimeSpan.FromSeconds(30)));
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
            catch (Exception e) when (e is not ClusterRequestException)
            {
                if (DateTime.UtcNow > deadline)
                    throw;
                await Task.Delay(250);
            }
        }
    }
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Nats.OrleansRoutes.Runtime.Grains;
using Nats.OrleansRoutes.Runtime.Hosting;
using Nats.OrleansRoutes.TestGrains;
using Nats.OrleansRoutes.TestKit;

namespace Nats.OrleansRoutes.Tests.Integration.Runtime;

/// <summary>A real redis-server and silo processes (tests/TestSilo) hosting the test grains.</summary>
public sealed class TestSiloCluster : IAsyncDisposable
{
    private readonly Dictionary<string, RunningProcess> _silos = [];
    private readonly List<IHost> _clients = [];

    private TestSiloCluster(RedisServer redis) => Redis = redis;

    public RedisServer Redis { get; }

    public string Prefix { get; } = "t" + Guid.NewGuid().ToString("N")[..10];

    public IReadOnlyDictionary<string, RunningProcess> Silos => _silos;

    public static async Task<TestSiloCluster> StartAsync(int silos, bool appendOnly = false)
    {
        var cluster = new TestSiloCluster(await RedisServer.StartAsync(appendOnly));
        await Task.WhenAll(Enumerable.Range(1, silos).Select(i => cluster.StartSiloAsync($"s{i}")));
        return cluster;
    }

    public async Task StartSiloAsync(string name)
    {
        var silo = DotnetProgram.Start(name, "Nats.OrleansRoutes.TestSilo", "Nats.OrleansRoutes.TestSilo",
            ["--redis", Redis.Endpoint, "--name", name, "--prefix", Prefix, "--dead-after-ms", "3000"]);
        lock (_silos)
            _silos[name] = silo;
        await silo.WaitForLineAsync("READY", TimeSpan.FromSeconds(30));
    }

    /// <summary>A separate grain client (its own membership view and connections), as another process would have.</summary>
    public async Task<IGrainFactory> NewClientAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddGrainRuntime(o =>
        {
            o.KeyPrefix = Prefix;
            o.RefreshInterval = TimeSpan.FromMilliseconds(500);
            o.CallTimeout = TimeSpan.FromSeconds(15);
        })
            .UseRedis(r => r.Endpoint = Redis.Endpoint)
            .AddGrainInterface<ICounterGrain>();
        var host = builder.Build();
        await host.StartAsync();
        lock (_clients)
            _clients.Add(host);
        return host.Services.GetRequiredService<IGrainFactory>();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.StopAsync();
            client.Dispose();
        }
        await Task.WhenAll(_silos.Values.Select(s => s.DisposeAsync().AsTask()));
        await Redis.DisposeAsync();
    }
}

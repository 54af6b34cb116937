using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using System.Security.Cryptography;
using Nats.OrleansRoutes.Client;
using Nats.OrleansRoutes.TestKit;

namespace Nats.OrleansRoutes.Tests.Integration.ControlPlane;

/// <summary>A deployment of real processes: redis-server and `natsroutes silo` processes, and clients.</summary>
public sealed class SiloDeployment : IAsyncDisposable
{
    private readonly Dictionary<string, RunningProcess> _silos = [];
    private readonly Dictionary<string, string> _siloIds = [];
    private readonly List<NatsRoutesClient> _clients = [];
    private readonly Lazy<Task<IClusterClient>> _orleans;
    private Microsoft.Extensions.Hosting.IHost? _orleansHost;

    private SiloDeployment(RedisServer redis)
    {
        Redis = redis;
        _orleans = new(ConnectOrleansAsync);
    }

    /// <summary>A plain Orleans client of the deployment, for what the product's client does not offer (the management grain).</summary>
    private async Task<IClusterClient> ConnectOrleansAsync()
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(c => c.UseNatsRoutesService(new NatsRoutesClientOptions { Redis = new RedisSettings(Redis.Endpoint), KeyPrefix = Prefix }));
        _orleansHost = builder.Build();
        await _orleansHost.StartAsync();
        return _orleansHost.Services.GetRequiredService<IClusterClient>();
    }

    public RedisServer Redis { get; }

    public string Prefix { get; } = "t" + Guid.NewGuid().ToString("N")[..10];

    public string SecretsKey { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public IReadOnlyDictionary<string, RunningProcess> Silos => _silos;

    public static async Task<SiloDeployment> StartAsync(int silos, bool appendOnly = false)
    {
        var deployment = new SiloDeployment(await RedisServer.StartAsync(appendOnly));
        await Task.WhenAll(Enumerable.Range(1, silos).Select(i => deployment.StartSiloAsync($"silo{i}")));
        return deployment;
    }

    public async Task StartSiloAsync(string name)
    {
        var process = NatsRoutesProcess.Start(name,
            ["silo", "--redis", Redis.Endpoint, "--prefix", Prefix, "--port", "0", "--gateway-port", "0", "--health-port", "0", "--dead-after", "3s"],
            new Dictionary<string, string> { ["NATSROUTES_SECRETS_KEY"] = SecretsKey });
        lock (_silos)
            _silos[name] = process;
        var ready = await process.WaitForLineAsync(" ready: grain calls on ", TimeSpan.FromSeconds(60));
        var id = ready[(ready.IndexOf("silo ", StringComparison.Ordinal) + 5)..ready.IndexOf(" ready:", StringComparison.Ordinal)];
        lock (_silos)
            _siloIds[name] = id;
    }

    public async Task<NatsRoutesClient> NewClientAsync()
    {
        var client = await NatsRoutesClient.ConnectAsync(new NatsRoutesClientOptions { Redis = new RedisSettings(Redis.Endpoint), KeyPrefix = Prefix });
        lock (_clients)
            _clients.Add(client);
        return client;
    }

    /// <summary>The silo process where a cluster's grain is active now, as Orleans' management grain reports it.</summary>
    public async Task<string> HostOfAsync(Grains.ClusterRef cluster)
    {
        var orleans = await _orleans.Value;
        var grain = orleans.GetGrain<Grains.IClusterGrain>(cluster.Key);
        var silo = await orleans.GetGrain<IManagementGrain>(0).GetActivationAddress(grain)
            ?? throw new InvalidOperationException("the grain is not active anywhere");
        lock (_silos)
            return _siloIds.Single(s => s.Value == silo.ToString()).Key;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
            await client.DisposeAsync();
        if (_orleansHost is not null)
        {
            await _orleansHost.StopAsync();
            _orleansHost.Dispose();
        }
        await Task.WhenAll(_silos.Values.Select(s => s.DisposeAsync().AsTask()));
        await Redis.DisposeAsync();
    }
}

/// <summary>Runs the built natsroutes program as a long-running process.</summary>
public static class NatsRoutesProcess
{
    public static RunningProcess Start(string name, IEnumerable<string> args, IDictionary<string, string>? environment = null) =>
        DotnetProgram.Start(name, "Nats.OrleansRoutes.Cli", "natsroutes", args, environment);
}

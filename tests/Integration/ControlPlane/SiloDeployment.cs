using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Nats.OrleansRoutes.Client;
using Nats.OrleansRoutes.Runtime.Hosting;
using Nats.OrleansRoutes.Runtime.Identity;
using Nats.OrleansRoutes.Runtime.Membership;
using Nats.OrleansRoutes.Runtime.Placement;
using Nats.OrleansRoutes.Runtime.Redis;
using Nats.OrleansRoutes.TestKit;

namespace Nats.OrleansRoutes.Tests.Integration.ControlPlane;

/// <summary>A deployment of real processes: redis-server and `natsroutes silo` processes, and clients.</summary>
public sealed class SiloDeployment : IAsyncDisposable
{
    private readonly Dictionary<string, RunningProcess> _silos = [];
    private readonly Dictionary<string, string> _siloIds = [];
    private readonly List<NatsRoutesClient> _clients = [];

    private SiloDeployment(RedisServer redis) => Redis = redis;

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
            ["silo", "--redis", Redis.Endpoint, "--prefix", Prefix, "--port", "0", "--health-port", "0", "--dead-after", "3s"],
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
        var client = await NatsRoutesClient.ConnectAsync(new NatsRoutesClientOptions { Redis = Redis.Endpoint, KeyPrefix = Prefix });
        lock (_clients)
            _clients.Add(client);
        return client;
    }

    /// <summary>The silo process that owns a grain now, computed the way every process computes it.</summary>
    public async Task<string> OwnerOfAsync(GrainId grain)
    {
        using var connection = RedisConnection.Connect(Options.Create(new RedisOptions { Endpoint = Redis.Endpoint }), NullLogger<RedisConnection>.Instance);
        var table = new RedisMembershipTable(connection, Options.Create(new RuntimeOptions { KeyPrefix = Prefix }));
        var snapshot = await table.ReadAsync(default);
        var owner = RendezvousPlacement.Owner(grain, new MembershipView(snapshot.Version, snapshot.Entries).Active)!;
        return _siloIds.Single(s => s.Value == owner.SiloId).Key;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
            await client.DisposeAsync();
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

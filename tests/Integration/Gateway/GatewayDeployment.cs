using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Nats.OrleansRoutes.Client;
using Nats.OrleansRoutes.Grains;
using Nats.OrleansRoutes.Tests.Integration.ControlPlane;
using Nats.OrleansRoutes.TestKit;
using Nats.OrleansRoutes.TestKit.Nats;

namespace Nats.OrleansRoutes.Tests.Integration.Gateway;

/// <summary>
/// The whole service as real processes: redis-server, a `natsroutes silo` and a `natsroutes
/// gateway` on its own 127.x address; plus the member nats-servers tests start through it, each
/// configured with the block `cluster member-config` gives.
/// </summary>
public sealed class GatewayDeployment : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly List<NatsServerProcess> _members = [];
    private readonly List<NatsClient> _clients = [];

    private GatewayDeployment(RedisServer redis, string host)
    {
        Redis = redis;
        GatewayHost = host;
    }

    public RedisServer Redis { get; }

    public string Prefix { get; } = "g" + Guid.NewGuid().ToString("N")[..10];

    public string SecretsKey { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The address the gateway's route endpoints listen on.</summary>
    public string GatewayHost { get; }

    public RunningProcess Silo { get; private set; } = null!;

    public RunningProcess Gateway { get; private set; } = null!;

    /// <summary>The gateway's monitoring base URL (…/routez).</summary>
    public string MonitorUrl { get; private set; } = "";

    public NatsRoutesClient Client { get; private set; } = null!;

    public IDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["NATSROUTES_SECRETS_KEY"] = SecretsKey,
        ["NATSROUTES_REDIS"] = Redis.Endpoint,
    };

    /// <summary>Starts Redis, a silo and a gateway (with <paramref name="gatewayArgs"/> added to its command line).</summary>
    public static async Task<GatewayDeployment> StartAsync(params string[] gatewayArgs)
    {
        var deployment = new GatewayDeployment(await RedisServer.StartAsync(), LoopbackHosts.Next());
        try
        {
            await deployment.StartProcessesAsync(gatewayArgs);
            return deployment;
        }
        catch
        {
            await deployment.DisposeAsync();
            throw;
        }
    }

    private async Task StartProcessesAsync(string[] gatewayArgs)
    {
        Silo = NatsRoutesProcess.Start("silo",
            ["silo", "--redis", Redis.Endpoint, "--prefix", Prefix, "--port", "0", "--health-port", "0"], Environment);
        Gateway = NatsRoutesProcess.Start("gateway",
            ["gateway", "--redis", Redis.Endpoint, "--prefix", Prefix, "--id", "gw1", "--host", GatewayHost, "--ports", "24200-24219", .. gatewayArgs], Environment);
        await Silo.WaitForLineAsync(" ready: grain calls on ", TimeSpan.FromSeconds(60));
        var ready = await Gateway.WaitForLineAsync(" ready: monitoring on ", TimeSpan.FromSeconds(60));
        MonitorUrl = ready[(ready.IndexOf("http", StringComparison.Ordinal))..].Replace("/routez", "", StringComparison.Ordinal).Trim();
        Client = await NatsRoutesClient.ConnectAsync(new NatsRoutesClientOptions { Redis = Redis.Endpoint, KeyPrefix = Prefix });
        // The gateway registers in the directory on its first reconcile.
        await Eventually.TrueAsync(async () => (await Client.ListGatewaysAsync()).Count > 0, TimeSpan.FromSeconds(30), "the gateway registers");
    }

    /// <summary>Imports a cluster from a cluster {} block and waits until the gateway serves it.</summary>
    public async Task<ClusterView> CreateClusterAsync(ClusterRef cluster, string configuration)
    {
        await Client.ImportClusterAsync(cluster, configuration, $"{cluster.Name}.conf");
        await Eventually.TrueAsync(async () => await ServedAsync(cluster) is not null, TimeSpan.FromSeconds(30), $"the gateway serves {cluster}");
        return await Client.GetClusterAsync(cluster);
    }

    /// <summary>
    /// Starts a member: the configuration is <paramref name="extra"/> (accounts, …) and the
    /// block member-config prints for <paramref name="serverName"/> and <paramref name="version"/>, with <paramref name="password"/>
    /// (changed by <paramref name="edit"/>, to make a member that differs from the spec).
    /// </summary>
    public async Task<NatsServerProcess> StartMemberAsync(ClusterRef cluster, string version, string serverName, string password, string extra = "",
        Func<string, string>? edit = null)
    {
        var routeListen = $"127.0.0.1:{FreePorts.Next().ToString(CultureInfo.InvariantCulture)}";
        var block = await Client.GetMemberConfigAsync(cluster, serverName, routeListen, password, serverVersion: version);
        if (edit is not null)
        {
            var edited = edit(block);
            if (edited == block)
                throw new InvalidOperationException($"the edit of {serverName}'s configuration changed nothing:\n{block}");
            block = edited;
        }
        var member = await NatsServerProcess.StartAsync(version, serverName, $"{extra}\n{block}");
        lock (_members)
            _members.Add(member);
        return member;
    }

    public async Task<NatsClient> ConnectAsync(NatsServerProcess member, string? user = null, string? password = null)
    {
        var client = await member.ConnectAsync(user, password, $"{member.Name}-{user ?? "client"}-{_clients.Count}");
        lock (_clients)
            _clients.Add(client);
        return client;
    }

    /// <summary>The gateway's /routez entry for a cluster, or null when it does not serve it.</summary>
    public async Task<JsonElement?> ServedAsync(ClusterRef cluster)
    {
        using var document = JsonDocument.Parse(await Http.GetStringAsync($"{MonitorUrl}/routez"));
        foreach (var served in document.RootElement.GetProperty("clusters").EnumerateArray())
        {
            if (served.GetProperty("cluster").GetString() == cluster.Key)
                return served.Clone();
        }
        return null;
    }

    /// <summary>The members (by server name) registered with the gateway for a cluster.</summary>
    public async Task<Dictionary<string, JsonElement>> MembersAsync(ClusterRef cluster)
    {
        var members = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (await ServedAsync(cluster) is { } served)
        {
            foreach (var member in served.GetProperty("members").EnumerateArray())
                members[member.GetProperty("server_name").GetString()!] = member;
        }
        return members;
    }

    /// <summary>Waits until each named member has <paramref name="connections"/> registered route connections (or any, when null).</summary>
    public Task WaitForMembersAsync(ClusterRef cluster, IReadOnlyCollection<string> serverNames, int? connections = null) =>
        Eventually.TrueAsync(async () =>
        {
            var members = await MembersAsync(cluster);
            return serverNames.All(n => members.TryGetValue(n, out var m)
                && (connections is null ? m.GetProperty("connections").GetArrayLength() > 0 : m.GetProperty("connections").GetArrayLength() == connections));
        }, TimeSpan.FromSeconds(30), $"members {string.Join(", ", serverNames)} of {cluster} register with the gateway");

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
            await client.DisposeAsync();
        await Task.WhenAll(_members.Select(m => m.DisposeAsync().AsTask()));
        if (Client is not null)
            await Client.DisposeAsync();
        if (Gateway is not null)
            await Gateway.DisposeAsync();
        if (Silo is not null)
            await Silo.DisposeAsync();
        await Redis.DisposeAsync();
    }
}

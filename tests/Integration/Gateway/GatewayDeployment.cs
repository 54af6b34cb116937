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

    private GatewayDeployment(RedisServer redis) => Redis = redis;

    public RedisServer Redis { get; }

    public string Prefix { get; } = "g" + Guid.NewGuid().ToString("N")[..10];

    public string SecretsKey { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The gateways (gw1, gw2, …), each on its own 127.x address, all with the same port range.</summary>
    public List<GatewayProcess> Gateways { get; } = [];

    /// <summary>The address the first gateway's route endpoints listen on.</summary>
    public string GatewayHost => Gateways[0].Host;

    public RunningProcess Silo { get; private set; } = null!;

    public RunningProcess Gateway => Gateways[0].Process;

    /// <summary>The first gateway's monitoring base URL (…/routez).</summary>
    public string MonitorUrl => Gateways[0].MonitorUrl;

    public NatsRoutesClient Client { get; private set; } = null!;

    public IDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["NATSROUTES_SECRETS_KEY"] = SecretsKey,
        ["NATSROUTES_REDIS"] = Redis.Endpoint,
    };

    /// <summary>Starts Redis, a silo and a gateway (with <paramref name="gatewayArgs"/> added to its command line).</summary>
    public static Task<GatewayDeployment> StartAsync(params string[] gatewayArgs) => StartAsync(gateways: 1, gatewayArgs);

    /// <summary>Starts Redis (with AOF when <paramref name="durableRedis"/>), a silo and <paramref name="gateways"/> gateways.</summary>
    public static Task<GatewayDeployment> StartAsync(int gateways, string[] gatewayArgs, bool durableRedis = false) =>
        StartAsync(gateways, _ => gatewayArgs, durableRedis);

    /// <summary>As above, with each gateway's own arguments (gateway 1, 2, …).</summary>
    public static async Task<GatewayDeployment> StartAsync(int gateways, Func<int, string[]> gatewayArgs, bool durableRedis = false)
    {
        var deployment = new GatewayDeployment(await RedisServer.StartAsync(appendOnly: durableRedis));
        try
        {
            var silo = deployment.StartSiloAsync();
            var starting = Enumerable.Range(1, gateways).Select(i => deployment.StartGatewayAsync($"gw{i}", gatewayArgs(i))).ToList();
            await silo;
            await Task.WhenAll(starting);
            deployment.Client = await NatsRoutesClient.ConnectAsync(new NatsRoutesClientOptions { Redis = new RedisSettings(deployment.Redis.Endpoint), KeyPrefix = deployment.Prefix });
            // Gateways register in the directory on their first reconcile.
            await Eventually.TrueAsync(async () => (await deployment.Client.ListGatewaysAsync()).Count(g => g.Live && g.Registration.MonitorUrl is not null) >= gateways,
                TimeSpan.FromSeconds(30), $"{gateways} gateway(s) register");
            return deployment;
        }
        catch
        {
            await deployment.DisposeAsync();
            throw;
        }
    }

    /// <summary>The silo's ports, fixed for the deployment as in production: a restarted silo takes the dead one's place.</summary>
    private readonly (int Silo, int Gateway) _siloPorts = (FreePorts.Next(), FreePorts.Next());

    /// <summary>Starts a silo process (a new one replaces <see cref="Silo"/>, on the same ports) and waits until it is ready.</summary>
    public async Task StartSiloAsync()
    {
        Silo = NatsRoutesProcess.Start("silo",
            ["silo", "--redis", Redis.Endpoint, "--prefix", Prefix, "--port", _siloPorts.Silo.ToString(CultureInfo.InvariantCulture),
             "--gateway-port", _siloPorts.Gateway.ToString(CultureInfo.InvariantCulture), "--health-port", "0"], Environment);
        await Silo.WaitForLineAsync(" ready: grain calls on ", TimeSpan.FromSeconds(60));
    }

    private async Task StartGatewayAsync(string id, string[] gatewayArgs)
    {
        // A test may choose the listen address (IPv6, …); otherwise each gateway gets its own loopback address.
        var chosen = Array.IndexOf(gatewayArgs, "--host");
        var host = chosen >= 0 ? gatewayArgs[chosen + 1] : LoopbackHosts.Next();
        string[] hostArgs = chosen >= 0 ? [] : ["--host", host];
        string[] portArgs = gatewayArgs.Contains("--ports") ? [] : ["--ports", "24200-24219"];
        var process = NatsRoutesProcess.Start(id,
            ["gateway", "--redis", Redis.Endpoint, "--prefix", Prefix, "--id", id, .. hostArgs, .. portArgs, .. gatewayArgs], Environment);
        var gateway = new GatewayProcess(id, host, process);
        lock (Gateways)
        {
            Gateways.Add(gateway);
            Gateways.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        }
        var ready = await process.WaitForLineAsync(" ready: monitoring on ", TimeSpan.FromSeconds(60));
        gateway.MonitorUrl = ready[ready.IndexOf("http", StringComparison.Ordinal)..].Replace("/routez", "", StringComparison.Ordinal).Trim();
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
    /// (changed by <paramref name="edit"/>, to make a member that differs from the spec), with the
    /// member's own TLS files when the cluster uses TLS.
    /// </summary>
    public async Task<NatsServerProcess> StartMemberAsync(ClusterRef cluster, string version, string serverName, string password, string extra = "",
        Func<string, string>? edit = null, MemberTlsFiles? tls = null)
    {
        var routeListen = $"127.0.0.1:{FreePorts.Next().ToString(CultureInfo.InvariantCulture)}";
        var block = await Client.GetMemberConfigAsync(cluster, serverName, routeListen, password, serverVersion: version, tls: tls);
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

    /// <summary>
    /// <paramref name="count"/> numbered messages (each with <paramref name="payload"/> after its
    /// number) from a client of <paramref name="a"/> to one of <paramref name="b"/>, then the other way,
    /// all arriving in order; interest is probed first.
    /// </summary>
    public async Task AssertRelaysBothWaysAsync(NatsServerProcess a, NatsServerProcess b, string payload = "", int count = 10)
    {
        var onA = await ConnectAsync(a);
        var onB = await ConnectAsync(b);
        string Text(int n) => payload.Length == 0 ? n.ToString(CultureInfo.InvariantCulture) : $"{n}:{payload}";
        foreach (var (from, to) in new[] { (onA, onB), (onB, onA) })
        {
            var subject = $"both.ways.{Guid.NewGuid():N}";
            var subscription = await to.SubscribeAsync(subject);
            await InterestProbe.WaitAsync(to, from);
            for (var n = 0; n < count; n++)
                await from.PublishAsync(subject, Text(n));
            var got = await subscription.CollectAsync(count, TimeSpan.FromSeconds(30));
            Assert.Equal(Enumerable.Range(0, count).Select(Text), got.Select(m => m.Text));
        }
    }

    /// <summary>One sample of the first gateway's /metrics, e.g. <c>natsroutes_gateway_handshake_failures_total{reason="tls"}</c>; 0 when absent.</summary>
    public async Task<double> MetricAsync(string sample) =>
        PrometheusText.Value(await Http.GetStringAsync($"{MonitorUrl}/metrics"), sample) ?? 0;

    /// <summary>The first gateway's /routez entry for a cluster, or null when it does not serve it.</summary>
    public Task<JsonElement?> ServedAsync(ClusterRef cluster) => ServedAsync(cluster, Gateways[0]);

    /// <summary>A gateway's /routez entry for a cluster, or null when it does not serve it.</summary>
    public static async Task<JsonElement?> ServedAsync(ClusterRef cluster, GatewayProcess gateway, TimeSpan? timeout = null)
    {
        using var request = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        using var document = JsonDocument.Parse(await Http.GetStringAsync($"{gateway.MonitorUrl}/routez", request.Token));
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
        foreach (var gateway in Gateways)
            await gateway.Process.DisposeAsync();
        if (Silo is not null)
            await Silo.DisposeAsync();
        await Redis.DisposeAsync();
    }
}

/// <summary>One gateway process of a deployment.</summary>
public sealed class GatewayProcess(string id, string host, RunningProcess process)
{
    public string Id { get; } = id;

    /// <summary>The address its route endpoints listen on.</summary>
    public string Host { get; } = host;

    public RunningProcess Process { get; } = process;

    public string MonitorUrl { get; set; } = "";
}

using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Nats.OrleansRoutes.Client;
using Nats.OrleansRoutes.Grains;
using Nats.OrleansRoutes.TestKit;
using Nats.OrleansRoutes.TestKit.Nats;

namespace Nats.OrleansRoutes.Bench.Relay;

/// <summary>Two nats-server 2.15.1 members, A and B, connected one way or another.</summary>
internal abstract class RelaySetup : IAsyncDisposable
{
    protected const string Password = "bench-r0ute-pass";

    public abstract string Name { get; }

    public NatsServerProcess A { get; protected set; } = null!;

    public NatsServerProcess B { get; protected set; } = null!;

    /// <summary>The process in the middle (the gateway, haproxy), if any.</summary>
    public virtual int? MiddlePid => null;

    /// <summary>Whether the members' routes are S2-compressed.</summary>
    public virtual bool Compressed => false;

    /// <summary>S2 bytes the middle process has written so far (the gateway's counter), when it compresses.</summary>
    public virtual Task<double?> WireBytesOutAsync() => Task.FromResult<double?>(null);

    public abstract Task StartAsync();

    /// <summary>The cluster {} block of a member routing to <paramref name="routeTo"/> (or accepting only).</summary>
    protected static string Block(int listenPort, string? routeTo, string? compression = null) => $$"""
        server_name: m{{listenPort}}
        cluster {
          name: bench
          listen: "127.0.0.1:{{listenPort}}"
          no_advertise: true
          authorization { user: ruser, password: "{{Password}}" }
          {{(routeTo is null ? "" : $"routes: [\"nats-route://ruser:{Password}@{routeTo}\"]")}}
          {{(compression is null ? "" : $"compression: {compression}")}}
        }
        """;

    /// <summary>Waits until a request from A is answered from B: the route is up both ways.</summary>
    protected async Task WaitConnectedAsync()
    {
        await using var onA = await A.ConnectAsync();
        await using var onB = await B.ConnectAsync();
        await onB.ServeAsync("bench.ready", _ => "yes"u8.ToArray());
        await onB.PingAsync();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                // Without the route A answers at once with a no-responders status (503), not "yes".
                if ((await onA.RequestAsync("bench.ready", "?"u8.ToArray(), TimeSpan.FromMilliseconds(250))).Text == "yes")
                    return;
            }
            catch (TimeoutException)
            {
            }
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{Name}: A and B are not connected after 30 s:\n{Describe()}");
            await Task.Delay(100);
        }
    }

    /// <summary>What the processes said, for a failure message.</summary>
    protected virtual string Describe() => $"A:\n{A.Output}\nB:\n{B.Output}";

    public virtual async ValueTask DisposeAsync()
    {
        if (A is not null)
            await A.DisposeAsync();
        if (B is not null)
            await B.DisposeAsync();
    }
}

/// <summary>A routes straight to B: the baseline a full mesh gives (with S2 when <paramref name="compression"/> is set).</summary>
internal sealed class DirectSetup(string? compression) : RelaySetup
{
    public override string Name => compression is null ? "direct" : "direct-s2";

    public override bool Compressed => compression is not null;

    public override async Task StartAsync()
    {
        var portB = FreePorts.Next();
        B = await NatsServerProcess.StartAsync(NatsServerBinaries.V2_15, Name + "-b", Block(portB, null, compression));
        A = await NatsServerProcess.StartAsync(NatsServerBinaries.V2_15, Name + "-a", Block(FreePorts.Next(), $"127.0.0.1:{portB}", compression));
        await WaitConnectedAsync();
    }
}

/// <summary>A routes to haproxy (tcp mode), which passes the bytes to B: what operators use today.</summary>
internal sealed class L4Setup : RelaySetup
{
    private RunningProcess? _haproxy;
    private string? _config;

    public override string Name => "haproxy-l4";

    public override int? MiddlePid => _haproxy?.Id;

    public override async Task StartAsync()
    {
        var portB = FreePorts.Next();
        var front = FreePorts.Next();
        _config = Path.Combine(Path.GetTempPath(), $"bench-haproxy-{Guid.NewGuid():N}.cfg");
        await File.WriteAllTextAsync(_config, $"""
            global
              maxconn 1000
            defaults
              mode tcp
              timeout connect 5s
              timeout client 1h
              timeout server 1h
            frontend routes
              bind 127.0.0.1:{front}
              default_backend member_b
            backend member_b
              server b 127.0.0.1:{portB}

            """); // haproxy refuses a file whose last line has no newline
        _haproxy = RunningProcess.Start("haproxy", SystemBinaries.Haproxy, ["-db", "-f", _config]);
        B = await NatsServerProcess.StartAsync(NatsServerBinaries.V2_15, "l4-b", Block(portB, null));
        A = await NatsServerProcess.StartAsync(NatsServerBinaries.V2_15, "l4-a", Block(FreePorts.Next(), $"127.0.0.1:{front}"));
        await WaitConnectedAsync();
    }

    protected override string Describe() => base.Describe() + $"\nhaproxy:\n{_haproxy?.Output}";

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_haproxy is not null)
            await _haproxy.DisposeAsync();
        if (_config is not null)
            File.Delete(_config);
    }
}

/// <summary>
/// A and B route only to the gateway: redis-server, a silo and a gateway process, a cluster
/// imported through the client library, members configured with member-config (pool_size 3 and
/// $SYS pinned, as nats-server's defaults).
/// </summary>
internal sealed class GatewaySetup(string? compression) : RelaySetup
{
    private static readonly HttpClient Http = new();
    private readonly string _prefix = "bench" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _secretsKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private RedisServer? _redis;
    private RunningProcess? _silo;
    private RunningProcess? _gateway;
    private NatsRoutesClient? _client;

    private string? _monitor;

    public override string Name => compression is null ? "gateway" : "gateway-s2";

    public override bool Compressed => compression is not null;

    public override int? MiddlePid => _gateway?.Id;

    public override async Task<double?> WireBytesOutAsync()
    {
        if (compression is null || _monitor is null)
            return null;
        return PrometheusText.Value(await Http.GetStringAsync($"{_monitor}/metrics"),
            "natsroutes_gateway_compression_bytes_total{direction=\"out\",form=\"wire\"}") ?? 0;
    }

    public override async Task StartAsync()
    {
        _redis = await RedisServer.StartAsync();
        var environment = new Dictionary<string, string> { ["NATSROUTES_SECRETS_KEY"] = _secretsKey };
        var host = LoopbackHosts.Next();
        _silo = DotnetProgram.Start("silo", "Nats.OrleansRoutes.Cli", "natsroutes",
            ["silo", "--redis", _redis.Endpoint, "--prefix", _prefix, "--port", "0", "--gateway-port", "0", "--health-port", "0"], environment);
        var gatewayEnvironment = new Dictionary<string, string>(environment) { ["Logging__LogLevel__Default"] = "Warning" };
        DotnetProgram.AddBenchSettings(gatewayEnvironment);
        _gateway = DotnetProgram.Start("gateway", "Nats.OrleansRoutes.Cli", "natsroutes",
            ["gateway", "--redis", _redis.Endpoint, "--prefix", _prefix, "--id", "bench", "--host", host, "--ports", "24200-24210"],
            gatewayEnvironment);
        await _silo.WaitForLineAsync(" ready: grain calls on ", TimeSpan.FromSeconds(60));
        var ready = await _gateway.WaitForLineAsync(" ready: monitoring on ", TimeSpan.FromSeconds(60));
        var routez = ready[ready.IndexOf("http", StringComparison.Ordinal)..].Trim();
        _monitor = routez[..routez.LastIndexOf('/')];

        _client = await NatsRoutesClient.ConnectAsync(new NatsRoutesClientOptions { Redis = new RedisSettings(_redis.Endpoint), KeyPrefix = _prefix });
        var cluster = new ClusterRef("bench", "relay");
        await Until(async () => (await _client.ListGatewaysAsync()).Count > 0, "the gateway registers");
        await _client.ImportClusterAsync(cluster, $$"""
            cluster {
              name: bench
              listen: 127.0.0.1:-1
              authorization { user: ruser, password: "{{Password}}" }
              {{(compression is null ? "" : $"compression: {compression}")}}
            }
            """, "bench.conf");
        await Until(async () => (await Http.GetFromJsonAsync<JsonElement>(routez)).GetProperty("clusters").GetArrayLength() > 0,
            "the gateway serves the cluster");
        A = await StartMemberAsync(cluster, "gw-a");
        B = await StartMemberAsync(cluster, "gw-b");
        await WaitConnectedAsync();
    }

    private async Task<NatsServerProcess> StartMemberAsync(ClusterRef cluster, string name)
    {
        var block = await _client!.GetMemberConfigAsync(cluster, name, $"127.0.0.1:{FreePorts.Next().ToString(CultureInfo.InvariantCulture)}", Password);
        return await NatsServerProcess.StartAsync(NatsServerBinaries.V2_15, name, block);
    }

    private static async Task Until(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"waited 60 s for: {what}");
            await Task.Delay(100);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_client is not null)
            await _client.DisposeAsync();
        if (_gateway is not null)
            await _gateway.DisposeAsync();
        if (_silo is not null)
            await _silo.DisposeAsync();
        if (_redis is not null)
            await _redis.DisposeAsync();
    }
}

using System.Globalization;
using System.Text.Json;
using Nats.OrleansRoutes.Grains;
using Nats.OrleansRoutes.TestKit;
using Nats.OrleansRoutes.TestKit.Nats;

namespace Nats.OrleansRoutes.Tests.Integration.Gateway;

/// <summary>
/// A gateway (pinging every second, at most 40 connections in their handshake) serving one cluster
/// with a healthy pair of members, 2.15.1 and 2.10.27, while the tests attack its route endpoint.
/// </summary>
public sealed class HostileDeployment : IAsyncLifetime
{
    public const string Password = "h0stile-pass";
    public static readonly ClusterRef Cluster = new("acme", "hostile");

    public GatewayDeployment Deployment { get; private set; } = null!;

    public NatsClient Publisher { get; private set; } = null!;

    public NatsClient Subscriber { get; private set; } = null!;

    public string Host { get; private set; } = "";

    public int Port { get; private set; }

    public async Task InitializeAsync()
    {
        Deployment = await GatewayDeployment.StartAsync("--ping-interval", "1s", "--max-handshakes", "40");
        var view = await Deployment.CreateClusterAsync(Cluster, $$"""
            cluster {
              name: hostile
              listen: 127.0.0.1:-1
              authorization { user: ruser, password: "{{Password}}" }
            }
            """);
        (Host, Port) = (view.Placement!.Host, view.Placement.Port);
        var h1 = await Deployment.StartMemberAsync(Cluster, NatsServerBinaries.V2_15, "healthy-1", Password);
        var h2 = await Deployment.StartMemberAsync(Cluster, NatsServerBinaries.V2_10, "healthy-2", Password);
        await Deployment.WaitForMembersAsync(Cluster, ["healthy-1", "healthy-2"], connections: 4);
        Publisher = await Deployment.ConnectAsync(h1);
        Subscriber = await Deployment.ConnectAsync(h2);
    }

    public async Task DisposeAsync() => await Deployment.DisposeAsync();
}

/// <summary>
/// Each bad input closes only the offending connection, with the -ERR nats-server sends, and is
/// counted; the healthy pair keeps relaying a steady stream throughout, without losing a message
/// or a connection.
/// </summary>
public sealed class HostileInputTests(HostileDeployment hostile) : IClassFixture<HostileDeployment>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    private Task<RawPeer> ConnectAsync() => RawPeer.ConnectAsync(hostile.Host, hostile.Port);

    /// <summary>Runs <paramref name="attack"/> while the healthy pair relays a numbered stream; asserts nothing was lost or disconnected.</summary>
    private async Task UnderHealthyTrafficAsync(Func<Task> attack)
    {
        var connectionsBefore = await HealthyConnectionsAsync();
        var subject = "healthy." + Guid.NewGuid().ToString("N");
        var received = await hostile.Subscriber.SubscribeAsync(subject);
        await InterestProbe.WaitAsync(hostile.Subscriber, hostile.Publisher);
        using var stop = new CancellationTokenSource();
        var sent = 0;
        var streaming = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await hostile.Publisher.PublishAsync(subject, sent.ToString(CultureInfo.InvariantCulture));
                sent++;
                await Task.Delay(10);
            }
        });
        try
        {
            await attack();
        }
        finally
        {
            await stop.CancelAsync();
            await streaming;
        }
        var got = await received.CollectAsync(sent, Wait);
        Assert.Equal(Enumerable.Range(0, sent).Select(n => n.ToString(CultureInfo.InvariantCulture)), got.Select(m => m.Text));
        await received.UnsubscribeAsync();
        Assert.Equal(connectionsBefore, await HealthyConnectionsAsync());
    }

    /// <summary>The healthy members' connections (remote addresses): the same set means none was dropped.</summary>
    private async Task<string> HealthyConnectionsAsync()
    {
        var members = await hostile.Deployment.MembersAsync(HostileDeployment.Cluster);
        return string.Join(",", members.Where(m => m.Key.StartsWith("healthy-", StringComparison.Ordinal))
            .SelectMany(m => m.Value.GetProperty("connections").EnumerateArray().Select(c => c.GetProperty("remote").GetString()))
            .Order(StringComparer.Ordinal));
    }

    private Task<double> MetricAsync(string sample) => hostile.Deployment.MetricAsync(sample);

    [Fact]
    public Task A_url_route_with_a_token_the_gateway_never_offered_gets_its_own_id_and_a_close() => UnderHealthyTrafficAsync(async () =>
    {
        var before = await MetricAsync("natsroutes_gateway_handshake_failures_total{reason=\"url_route_ended\"}");
        await using var peer = await ConnectAsync();
        await peer.SendAsync(Connect("0123456789abcdef0123456789abcdef", "natsroutes-url-route"));
        Assert.True(await peer.ClosedWithinAsync(Wait), peer.Received);
        // Its own server id: a nats-server takes that for a route to itself and stops redialling.
        Assert.StartsWith("INFO {", peer.Received, StringComparison.Ordinal);
        using var info = JsonDocument.Parse(peer.Received["INFO ".Length..peer.Received.IndexOf('\n', StringComparison.Ordinal)]);
        Assert.Equal("raw-peer", info.RootElement.GetProperty("server_id").GetString());
        Assert.True(await MetricAsync("natsroutes_gateway_handshake_failures_total{reason=\"url_route_ended\"}") > before);
    });

    [Fact]
    public Task A_url_route_without_a_server_id_is_refused() => UnderHealthyTrafficAsync(async () =>
    {
        var before = await MetricAsync("natsroutes_gateway_handshake_failures_total{reason=\"authorization\"}");
        await using var peer = await ConnectAsync();
        await peer.SendAsync(Connect("0123456789abcdef0123456789abcdef", "natsroutes-url-route").Replace("\"raw-peer\"", "\"\"", StringComparison.Ordinal));
        Assert.True(await peer.ClosedWithinAsync(Wait), peer.Received);
        Assert.DoesNotContain("INFO", peer.Received, StringComparison.Ordinal);
        Assert.Contains("-ERR 'Authorization Violation'", peer.Received, StringComparison.Ordinal);
        Assert.True(await MetricAsync("natsroutes_gateway_handshake_failures_total{reason=\"authorization\"}") > before);
    });

    private static string Connect(string password, string user = "ruser") => "CONNECT " + JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["verbose"] = false, ["pedantic"] = false, ["user"] = user, ["pass"] = password, ["name"] = "raw-peer",
        ["cluster"] = "hostile", ["headers"] = true, ["tls_required"] = false,
    }) + "\r\n";

    private static string Info(string serverId) => "INFO " + JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["server_id"] = serverId, ["name"] = serverId, ["version"] = "2.9.10", ["proto"] = 1, ["headers"] = true, ["cluster"] = "hostile",
    }) + "\r\n";

    [Fact]
    public Task Garbage_gets_unknown_protocol_operation_and_a_close() => UnderHealthyTrafficAsync(async () =>
    {
        var before = await MetricAsync("natsroutes_gateway_handshake_failures_total{reason=\"protocol_error\"}");
        await using var peer = await ConnectAsync();
        Assert.True(await peer.SawAsync("INFO {", Wait));
        await peer.SendAsync([0x00, 0xff, 0x13, (byte)'G', (byte)'A', (byte)'R', (byte)'B', (byte)'\r', (byte)'\n']);
        Assert.True(await peer.ClosedWithinAsync(Wait), peer.Received);
        Assert.Contains("-ERR 'Unknown Protocol Operation'", peer.Received, StringComparison.Ordinal);
        Assert.True(await MetricAsync("natsroutes_gateway_handshake_failures_total{reason=\"protocol_error\"}") > before);
    });

    [Fact]
    public Task An_oversized_control_line_gets_maximum_control_line_exceeded() => UnderHealthyTrafficAsync(async () =>
    {
        await using var peer = await ConnectAsync();
        Assert.True(await peer.SawAsync("INFO {", Wait));
        await peer.SendAsync("CONNECT {\"user\":\"" + new string('a', 70_000));
        Assert.True(await peer.ClosedWithinAsync(Wait), peer.Received);
        Assert.Contains("-ERR 'maximum control line exceeded'", peer.Received, StringComparison.Ordinal);
    });

    [Fact]
    public Task A_connect_that_never_comes_gets_authentication_timeout() => UnderHealthyTrafficAsync(async () =>
    {
        var before = await MetricAsync("natsroutes_gateway_handshake_failures_total{reason=\"auth_timeout\"}");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using var peer = await ConnectAsync();
        // The INFO waits a moment for a CONNECT (a URL route's picks the INFO), then comes anyway.
        Assert.True(await peer.SawAsync("INFO {", Wait));
        Assert.True(await peer.ClosedWithinAsync(Wait), peer.Received);
        Assert.Contains("-ERR 'Authentication Timeout'", peer.Received, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(6)); // the spec's default: 2 s
        Assert.True(await MetricAsync("natsroutes_gateway_handshake_failures_total{reason=\"auth_timeout\"}") > before);
    });

    [Fact]
    public Task A_connect_that_came_in_time_waits_for_a_slow_control_plane_past_the_authorization_timeout() => UnderHealthyTrafficAsync(async () =>
    {
        var timeoutsBefore = await MetricAsync("natsroutes_gateway_handshake_failures_total{reason=\"auth_timeout\"}");
        // From an address of its own, so the failed-authentication limit of earlier tests does not answer for the control plane.
        await using var peer = await RawPeer.ConnectAsync(hostile.Host, hostile.Port, System.Net.IPAddress.Parse("127.0.0.77"));
        Assert.True(await peer.SawAsync("INFO {", Wait));
        var silo = hostile.Deployment.Silo.Id;
        Signals.Stop(silo); // the control plane is there but does not answer
        try
        {
            await peer.SendAsync(Connect("wrong-" + Guid.NewGuid().ToString("N")));
            await Task.Delay(TimeSpan.FromSeconds(4)); // twice the authorization timeout
            Assert.False(peer.Closed.IsCompleted, peer.Received);
            Assert.DoesNotContain("-ERR", peer.Received, StringComparison.Ordinal);
        }
        finally
        {
            Signals.Continue(silo);
        }
        // Once it answers, the wrong password is refused as such, not as a timeout.
        Assert.True(await peer.ClosedWithinAsync(Wait), peer.Received);
        Assert.Contains("-ERR 'Authorization Violation'", peer.Received, StringComparison.Ordinal);
        Assert.Equal(timeoutsBefore, await MetricAsync("natsroutes_gateway_handshake_failures_total{reason=\"auth_timeout\"}"));
    });

    [Fact]
    public Task A_payload_beyond_max_payload_gets_maximum_payload_violation() => UnderHealthyTrafficAsync(async () =>
    {
        await using var peer = await ConnectAsync();
        Assert.True(await peer.SawAsync("INFO {", Wait));
        await peer.SendAsync(Connect(HostileDeployment.Password) + Info("RAWPAYLOAD" + Guid.NewGuid().ToString("N")) + "PING\r\n");
        Assert.True(await peer.SawAsync("PONG", Wait), peer.Received);
        await peer.SendAsync("RMSG $G healthy.x 999999999\r\n");
        Assert.True(await peer.ClosedWithinAsync(Wait), peer.Received);
        Assert.Contains("-ERR 'Maximum Payload Violation'", peer.Received, StringComparison.Ordinal);
    });

    [Fact]
    public Task A_peer_that_stops_answering_is_closed_as_stale() => UnderHealthyTrafficAsync(async () =>
    {
        await using var peer = await ConnectAsync();
        Assert.True(await peer.SawAsync("INFO {", Wait));
        // Registered, then silent: like a half-open socket whose other end is gone.
        await peer.SendAsync(Connect(HostileDeployment.Password) + Info("RAWSTALE" + Guid.NewGuid().ToString("N")));
        Assert.True(await peer.ClosedWithinAsync(TimeSpan.FromSeconds(12)), peer.Received);
        Assert.Contains("PING\r\n", peer.Received, StringComparison.Ordinal);
        Assert.Contains("-ERR 'Stale Connection'", peer.Received, StringComparison.Ordinal);
    });

    [Fact]
    public Task Thousands_of_wrong_passwords_are_refused_and_rate_limited() => UnderHealthyTrafficAsync(async () =>
    {
        const int attempts = 2000;
        // Earlier tests' connections may still hold handshake slots; every attempt here must get one.
        await Eventually.TrueAsync(async () => await MetricAsync("natsroutes_gateway_handshakes_in_progress") == 0, Wait,
            "no handshake in progress before the burst");
        var refusedBefore = await MetricAsync("natsroutes_gateway_handshake_failures_total{reason=\"authorization\"}");
        var limitedBefore = await MetricAsync("natsroutes_gateway_handshake_failures_total{reason=\"rate_limited\"}");
        var violations = 0;
        var odd = new System.Collections.Concurrent.ConcurrentBag<string>();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) < attempts)
            {
                await using var peer = await ConnectAsync();
                await peer.SendAsync(Connect($"guess-{next}"));
                if (await peer.ClosedWithinAsync(Wait) && peer.Received.Contains("-ERR 'Authorization Violation'", StringComparison.Ordinal))
                    Interlocked.Increment(ref violations);
                else
                    odd.Add(peer.Received);
            }
        }));
        Assert.True(attempts == violations, $"{attempts - violations} attempts not answered with an authorization violation, e.g. \"{odd.FirstOrDefault()}\"");
        var refused = await MetricAsync("natsroutes_gateway_handshake_failures_total{reason=\"authorization\"}") - refusedBefore;
        var limited = await MetricAsync("natsroutes_gateway_handshake_failures_total{reason=\"rate_limited\"}") - limitedBefore;
        Assert.Equal(attempts, refused + limited);
        // After a burst of 10 the control plane is asked about one guess per second at most.
        Assert.True(limited > attempts * 0.8, $"{limited} of {attempts} rate limited, {refused} checked");
        // The log says so a few times, not 2000 times.
        var logged = hostile.Deployment.Gateway.Output.Split('\n').Count(l => l.Contains("route from 127.0.0.1", StringComparison.Ordinal) && l.Contains("refused", StringComparison.Ordinal));
        Assert.True(logged < 200, $"{logged} refusal lines logged");
    });

    [Fact]
    public Task Connections_beyond_the_handshake_bound_wait_for_a_slot_and_are_not_refused() => UnderHealthyTrafficAsync(async () =>
    {
        var waitsBefore = await MetricAsync("natsroutes_gateway_handshake_waits_total");
        var idle = new List<RawPeer>();
        try
        {
            for (var i = 0; i < 60; i++)
                idle.Add(await ConnectAsync());
            // 40 get their INFO and may wait for their CONNECT; the rest wait, open and unanswered, for a slot.
            await Task.Delay(500);
            var waiting = idle.Count(p => !p.Closed.IsCompleted && !p.Received.Contains("INFO", StringComparison.Ordinal));
            Assert.True(waiting >= 15, $"{waiting} of 60 waiting without an INFO");
            Assert.True(await MetricAsync("natsroutes_gateway_handshake_waits_total") > waitsBefore);
            // The first ones reach their authorization timeout, and their slots go to those waiting.
            await Eventually.TrueAsync(() => Task.FromResult(idle.All(p => p.Received.Contains("INFO {", StringComparison.Ordinal))), Wait,
                "every waiting connection gets its INFO as slots free");
        }
        finally
        {
            foreach (var peer in idle)
                await peer.DisposeAsync();
        }
        // The slots come back: a new connection gets its INFO at once.
        await Eventually.TrueAsync(async () =>
        {
            await using var peer = await ConnectAsync();
            return await peer.SawAsync("INFO {", TimeSpan.FromSeconds(1));
        }, Wait, "a new connection is served once the idle ones are gone");
    });
}

using System.Globalization;
using Nats.OrleansRoutes.Grains;
using Nats.OrleansRoutes.TestKit;
using Nats.OrleansRoutes.TestKit.Nats;

namespace Nats.OrleansRoutes.Tests.Integration.Gateway;

/// <summary>
/// S2 compression on accepted routes, with real members: a cluster whose spec says s2_fast, with
/// two compressing members (2.10.27, 2.15.1), one configured off and one 2.9.10 (no compression at
/// all). The hub decompresses what it reads and compresses what it writes per link.
/// </summary>
public sealed class CompressedRouteTests
{
    internal const string Password = "s2-r0ute-pass";
    internal static readonly ClusterRef Cluster = new("acme", "compressed");
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Compressing_plain_and_old_members_relay_through_one_hub()
    {
        await using var deployment = await GatewayDeployment.StartAsync();
        await CreateClusterAsync(deployment, "s2_fast");
        var fast15 = await deployment.StartMemberAsync(Cluster, NatsServerBinaries.V2_15, "c-fast-15", Password);
        var fast10 = await deployment.StartMemberAsync(Cluster, NatsServerBinaries.V2_10, "c-fast-10", Password);
        var off = await deployment.StartMemberAsync(Cluster, NatsServerBinaries.V2_15, "c-off", Password,
            edit: WithCompression("off"));
        var old = await deployment.StartMemberAsync(Cluster, NatsServerBinaries.V2_9, "c-old-9", Password);
        NatsServerProcess[] members = [fast15, fast10, off, old];
        await deployment.WaitForMembersAsync(Cluster, [.. members.Select(m => m.Name)]);

        // The members' own view: routes to the gateway are compressed where both sides compress.
        Assert.Equal(["s2_fast"], await MemberCompressionAsync(fast15));
        Assert.Equal(["s2_fast"], await MemberCompressionAsync(fast10));
        Assert.Equal(["off"], await MemberCompressionAsync(off));

        // The gateway's view of the same links.
        var gateway = await deployment.MembersAsync(Cluster);
        foreach (var (name, mode) in new[] { ("c-fast-15", "s2_fast"), ("c-fast-10", "s2_fast"), ("c-off", "off"), ("c-old-9", "off") })
        {
            Assert.All(gateway[name].GetProperty("connections").EnumerateArray(),
                c => Assert.Equal(mode, c.GetProperty("compression").GetProperty("mode").GetString()));
        }

        // natsroutes status shows the same per connection.
        var status = await NatsRoutesCli.RunAsync("status", Cluster.Key, "--redis", deployment.Redis.Endpoint, "--prefix", deployment.Prefix);
        Assert.True(status.ExitCode == 0, status.AllOutput);
        Assert.Contains(" S2 ", status.StandardOutput, StringComparison.Ordinal);
        Assert.Contains(status.StandardOutput.Split('\n'), l => l.StartsWith("c-fast-10", StringComparison.Ordinal) && l.Contains(" s2_fast ", StringComparison.Ordinal));
        Assert.Contains(status.StandardOutput.Split('\n'), l => l.StartsWith("c-old-9", StringComparison.Ordinal) && l.Contains(" off ", StringComparison.Ordinal));

        // Every member hears every other, with a compressible payload and headers, in order.
        var clients = new List<NatsClient>();
        foreach (var member in members)
            clients.Add(await deployment.ConnectAsync(member));
        var payload = string.Concat(Enumerable.Repeat("{\"order\":42,\"state\":\"created\"} ", 40));
        for (var from = 0; from < clients.Count; from++)
        {
            var subject = $"fan.{from}";
            var subscriptions = new List<NatsSubscription>();
            for (var to = 0; to < clients.Count; to++)
            {
                if (to != from)
                    subscriptions.Add(await clients[to].SubscribeAsync(subject));
            }
            await InterestProbe.WaitAllAsync([.. clients.Where((_, i) => i != from)], [clients[from]]);
            for (var n = 0; n < 25; n++)
                await clients[from].PublishAsync(subject, $"{n} {payload}", headers: [new("X-N", n.ToString(CultureInfo.InvariantCulture))]);
            foreach (var subscription in subscriptions)
            {
                var got = await subscription.CollectAsync(25, Wait);
                Assert.Equal(Enumerable.Range(0, 25).Select(n => $"{n} {payload}"), got.Select(m => m.Text));
            }
        }

        // Request/reply across a compressed and a plain link.
        await clients[3].ServeAsync("svc.echo", m => m.Payload);
        await InterestProbe.WaitAsync(clients[3], clients[0]);
        Assert.Equal(payload, (await clients[0].RequestAsync("svc.echo", System.Text.Encoding.UTF8.GetBytes(payload), Wait)).Text);

        // Compression did its work on the compressed links: fewer bytes on the wire than before S2.
        var after = await deployment.MembersAsync(Cluster);
        var compression = after["c-fast-15"].GetProperty("connections").EnumerateArray().Select(c => c.GetProperty("compression")).ToList();
        var plainOut = compression.Sum(c => c.GetProperty("out_plain_bytes").GetInt64());
        var wireOut = compression.Sum(c => c.GetProperty("out_wire_bytes").GetInt64());
        Assert.True(plainOut > 0 && wireOut < plainOut / 2, $"out: {plainOut} plain bytes became {wireOut} on the wire");
        var wireIn = compression.Sum(c => c.GetProperty("in_wire_bytes").GetInt64());
        var decodedIn = compression.Sum(c => c.GetProperty("in_decoded_bytes").GetInt64());
        Assert.True(decodedIn > 0 && wireIn < decodedIn, $"in: {wireIn} wire bytes decoded to {decodedIn}");

        // And /metrics counts the same, for every compressed link together.
        var metricPlain = await deployment.MetricAsync("natsroutes_gateway_compression_bytes_total{direction=\"out\",form=\"plain\"}");
        var metricWire = await deployment.MetricAsync("natsroutes_gateway_compression_bytes_total{direction=\"out\",form=\"wire\"}");
        Assert.True(metricPlain >= plainOut && metricWire < metricPlain, $"/metrics out: {metricPlain} plain, {metricWire} wire");
        Assert.True(await deployment.MetricAsync("natsroutes_gateway_compression_bytes_total{direction=\"in\",form=\"plain\"}") >= decodedIn);
        // Between the two s2_fast members the gateway passed their chunks on instead of compressing anew.
        var passed = await deployment.MetricAsync("natsroutes_gateway_compression_passed_bytes_total");
        Assert.True(passed > 0 && passed <= metricWire, $"/metrics: {passed} S2 bytes passed on unchanged, {metricWire} written");
    }

    /// <summary>
    /// Each mode of the spec (and a member asking more than an accepting gateway): what the gateway
    /// writes, what the members' own /routez says, and that messages cross both ways.
    /// </summary>
    [Theory]
    [InlineData("s2_better", null, "s2_better")]
    [InlineData("s2_best", null, "s2_best")]
    [InlineData("s2_auto", null, "s2_auto")]
    [InlineData("accept", "s2_best", "s2_best")]
    [InlineData("accept", null, "off")]
    [InlineData("off", "s2_fast", "off")]
    public async Task Every_mode_negotiates_as_nats_server_and_relays(string specMode, string? memberMode, string gatewayMode)
    {
        await using var deployment = await GatewayDeployment.StartAsync();
        await CreateClusterAsync(deployment, specMode);
        var edit = memberMode is null ? null : WithCompression(memberMode);
        var a = await deployment.StartMemberAsync(Cluster, NatsServerBinaries.V2_15, "m-a", Password, edit: edit);
        var b = await deployment.StartMemberAsync(Cluster, NatsServerBinaries.V2_10, "m-b", Password, edit: edit);
        await deployment.WaitForMembersAsync(Cluster, ["m-a", "m-b"]);

        var gateway = await deployment.MembersAsync(Cluster);
        foreach (var name in new[] { "m-a", "m-b" })
        {
            Assert.All(gateway[name].GetProperty("connections").EnumerateArray(),
                c => Assert.Equal(gatewayMode, c.GetProperty("compression").GetProperty("mode").GetString()));
        }
        foreach (var member in new[] { a, b })
        {
            var seen = await MemberCompressionAsync(member);
            if (gatewayMode == "off")
                Assert.DoesNotContain(seen, m => m is not null && m.StartsWith("s2_", StringComparison.Ordinal));
            else
                Assert.All(seen, m => Assert.StartsWith("s2_", m, StringComparison.Ordinal));
        }

        await deployment.AssertRelaysBothWaysAsync(a, b, string.Concat(Enumerable.Repeat("compressible text ", 100)));
    }

    [Theory]
    [InlineData(NatsServerBinaries.V2_15, "s2_best", "s2_fast", "s2_fast", "s2_best")]
    [InlineData(NatsServerBinaries.V2_10, "s2_best", "s2_fast", "s2_fast", "s2_best")]
    [InlineData(NatsServerBinaries.V2_15, "accept", "s2_auto", "s2_auto", "s2_fast")]
    [InlineData(NatsServerBinaries.V2_10, "s2_fast", "accept", "s2_fast", "s2_fast")]
    public async Task A_member_the_gateway_dials_compresses_too(string version, string memberMode, string specMode, string gatewayMode,
        string memberWrites)
    {
        await using var deployment = await GatewayDeployment.StartAsync();
        var soloRoutePort = FreePorts.Next().ToString(CultureInfo.InvariantCulture);
        await using var solo = await NatsServerProcess.StartAsync(version, "c-solo", $$"""
            server_name: c-solo
            cluster {
              name: compressed
              listen: 127.0.0.1:{{soloRoutePort}}
              authorization { user: ruser, password: "{{Password}}" }
              compression: {{memberMode}}
            }
            """);
        await CreateClusterAsync(deployment, specMode, $"routes: [ \"nats-route://ruser:{Password}@127.0.0.1:{soloRoutePort}\" ]");
        var accepted = await deployment.StartMemberAsync(Cluster, NatsServerBinaries.V2_15, "c-accepted", Password);
        await deployment.WaitForMembersAsync(Cluster, ["c-solo", "c-accepted"], connections: 4);
        var members = await deployment.MembersAsync(Cluster);
        Assert.All(members["c-solo"].GetProperty("connections").EnumerateArray(), c =>
        {
            Assert.True(c.GetProperty("solicited").GetBoolean());
            Assert.Equal(gatewayMode, c.GetProperty("compression").GetProperty("mode").GetString());
        });
        Assert.All(await MemberCompressionAsync(solo), m => Assert.Equal(memberWrites, m));

        await deployment.AssertRelaysBothWaysAsync(accepted, solo, string.Concat(Enumerable.Repeat("dialled and compressed ", 80)));
    }

    [Fact]
    public async Task Malformed_compressed_input_closes_only_that_connection()
    {
        await using var deployment = await GatewayDeployment.StartAsync();
        var view = await CreateClusterAsync(deployment, "s2_fast");
        var a = await deployment.StartMemberAsync(Cluster, NatsServerBinaries.V2_15, "h-a", Password);
        var b = await deployment.StartMemberAsync(Cluster, NatsServerBinaries.V2_10, "h-b", Password);
        await deployment.WaitForMembersAsync(Cluster, ["h-a", "h-b"]);

        // A peer negotiates S2 with the gateway as a member would, is registered, then sends a chunk whose CRC is wrong.
        const string info = "INFO {\"server_id\":\"NFAKEHUB000000000000000000000000000000000000000000000000\",\"server_name\":\"fake-hub\","
            + "\"version\":\"2.15.1\",\"proto\":3,\"headers\":true,\"max_payload\":1048576,\"cluster\":\"compressed\",\"compression\":\"accept\"}\r\n";
        await using var peer = await Compression.CompressedRoutePeer.SolicitAsync(view.Placement!.Host, view.Placement.Port, info,
            cluster: "compressed", user: "ruser", password: Password);
        await Eventually.TrueAsync(async () => (await deployment.MembersAsync(Cluster)).ContainsKey("fake-hub"), Wait, "the peer is registered");
        await peer.SendRawAsync([0xff, 0x06, 0, 0, .. "S2sTwO"u8.ToArray(), 0x01, 0x0a, 0x00, 0x00, 0xde, 0xad, 0xbe, 0xef, .. "PING\r\n"u8.ToArray()]);

        await Eventually.TrueAsync(() => Task.FromResult(deployment.Gateway.Output.Contains("malformed compressed input: CRC mismatch", StringComparison.Ordinal)),
            Wait, "the gateway names the fault");
        await Eventually.TrueAsync(async () => !(await deployment.MembersAsync(Cluster)).ContainsKey("fake-hub"), Wait, "the peer is dropped");
        Assert.Contains("fake-hub", deployment.Gateway.Output, StringComparison.Ordinal);

        // The real members were not touched.
        await deployment.AssertRelaysBothWaysAsync(a, b);
        Assert.Equal(["h-a", "h-b"], (await deployment.MembersAsync(Cluster)).Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Queue_groups_deliver_each_message_once_over_compressed_links()
    {
        await using var deployment = await GatewayDeployment.StartAsync();
        await CreateClusterAsync(deployment, "s2_auto");
        var publisherMember = await deployment.StartMemberAsync(Cluster, NatsServerBinaries.V2_15, "q-pub", Password);
        var worker1 = await deployment.StartMemberAsync(Cluster, NatsServerBinaries.V2_10, "q-w1", Password);
        var worker2 = await deployment.StartMemberAsync(Cluster, NatsServerBinaries.V2_15, "q-w2", Password);
        await deployment.WaitForMembersAsync(Cluster, ["q-pub", "q-w1", "q-w2"]);
        var publisher = await deployment.ConnectAsync(publisherMember);
        var on1 = await deployment.ConnectAsync(worker1);
        var on2 = await deployment.ConnectAsync(worker2);
        var w1 = await on1.SubscribeAsync("jobs.>", queue: "workers");
        var w2 = await on2.SubscribeAsync("jobs.>", queue: "workers");
        await InterestProbe.WaitAllAsync([on1, on2], [publisher]);

        const int count = 200;
        for (var n = 0; n < count; n++)
            await publisher.PublishAsync($"jobs.{n % 7}", n.ToString(CultureInfo.InvariantCulture));
        await Eventually.TrueAsync(() => Task.FromResult(w1.Count + w2.Count >= count), Wait, $"{count} jobs delivered");
        var delivered = (await w1.DrainAsync(TimeSpan.FromMilliseconds(300))).Concat(await w2.DrainAsync(TimeSpan.FromMilliseconds(300)))
            .Select(m => int.Parse(m.Text, CultureInfo.InvariantCulture)).Order().ToList();
        Assert.Equal(Enumerable.Range(0, count), delivered); // each exactly once
        Assert.True(w1.Count > 0 && w2.Count > 0, $"both workers took jobs ({w1.Count}, {w2.Count})");
        var gateway = await deployment.MembersAsync(Cluster);
        Assert.All(gateway["q-w1"].GetProperty("connections").EnumerateArray(),
            c => Assert.Equal("s2_auto", c.GetProperty("compression").GetProperty("mode").GetString()));
    }

    /// <summary>The test cluster with <paramref name="mode"/> and, optionally, more of its cluster block.</summary>
    internal static Task<ClusterView> CreateClusterAsync(GatewayDeployment deployment, string mode, string extra = "") =>
        deployment.CreateClusterAsync(Cluster, $$"""
            cluster {
              name: compressed
              listen: 127.0.0.1:-1
              authorization { user: ruser, password: "{{Password}}" }
              {{extra}}
              compression: {{mode}}
            }
            """);

    /// <summary>
    /// A member asking for <paramref name="mode"/> instead of what member-config wrote (the spec's
    /// mode, or nothing for the default, accept).
    /// </summary>
    private static Func<string, string> WithCompression(string mode) => block =>
        block.Contains("compression:", StringComparison.Ordinal)
            ? System.Text.RegularExpressions.Regex.Replace(block, "compression: [^\n]*", $"compression: {mode}")
            : block.Replace("cluster {\n", $"cluster {{\n  compression: {mode}\n", StringComparison.Ordinal);

    /// <summary>The <c>compression</c> of each route in a member's own /routez.</summary>
    private static async Task<List<string?>> MemberCompressionAsync(NatsServerProcess member)
    {
        using var routez = await member.MonitorAsync("routez");
        return [.. routez.RootElement.GetProperty("routes").EnumerateArray()
            .Select(r => r.TryGetProperty("compression", out var c) ? c.GetString() : null).Distinct()];
    }
}

using System.Text.Json;
using Nats.OrleansRoutes.Grains;
using Nats.OrleansRoutes.TestKit;
using Nats.OrleansRoutes.TestKit.Nats;

namespace Nats.OrleansRoutes.Tests.Integration.Gateway;

/// <summary>
/// Members learn each other's client URLs through the hub as in a mesh: a client of one member
/// gets the other members' URLs in its INFO, loses a member's URL when that member leaves, and gets
/// none when the cluster sets <c>no_advertise</c>.
/// </summary>
public sealed class ClientUrlTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private static string Block(string name, string extra = "") => $$"""
        cluster {
          name: {{name}}
          listen: 127.0.0.1:-1
          authorization { user: ruser, password: "urls-pass" }
          {{extra}}
        }
        """;

    [Theory]
    [InlineData(NatsServerBinaries.V2_15, NatsServerBinaries.V2_10, NatsServerBinaries.V2_9)]
    [InlineData(NatsServerBinaries.V2_9, NatsServerBinaries.V2_15, NatsServerBinaries.V2_10)]
    public async Task A_client_gets_the_other_members_urls_and_loses_those_of_a_member_that_leaves(string aVersion, string bVersion, string cVersion)
    {
        await using var deployment = await GatewayDeployment.StartAsync();
        var cluster = new ClusterRef("acme", "urls");
        await deployment.CreateClusterAsync(cluster, Block("urls"));
        var a = await deployment.StartMemberAsync(cluster, aVersion, "a", "urls-pass");
        var b = await deployment.StartMemberAsync(cluster, bVersion, "b", "urls-pass");
        var c = await deployment.StartMemberAsync(cluster, cVersion, "c", "urls-pass");
        await deployment.WaitForMembersAsync(cluster, ["a", "b", "c"]);

        await using var client = await ClientAsync(a);
        await Eventually.TrueAsync(() => Task.FromResult(Urls(client).SetEquals(Ports(a, b, c))), Wait,
            $"a client of a gets a, b and c; its INFOs so far: {client.Received}");
        // The gateway counts a URL route once the member's INFO arrives, a moment after the member took the URLs.
        await Eventually.TrueAsync(async () => (await deployment.MembersAsync(cluster))["a"].GetProperty("has_urls_of").EnumerateArray()
            .Select(n => n.GetString()).SequenceEqual(["b", "c"]), Wait, "/routez shows that a has the URLs of b and c");
        // Each member of a mesh announces every other one: b's clients get a and c.
        await using (var ofB = await ClientAsync(b))
        {
            await Eventually.TrueAsync(() => Task.FromResult(Urls(ofB).SetEquals(Ports(a, b, c))), Wait,
                $"a client of b gets a, b and c; its INFOs so far: {ofB.Received}");
        }

        await c.DisposeAsync();
        await Eventually.TrueAsync(() => Task.FromResult(Urls(client).SetEquals(Ports(a, b))), Wait,
            $"c's URL is withdrawn from a's client once c left; its INFOs so far: {client.Received}");

        // a and b redial the URL routes of c the gateway closed, as any gossiped route; the answer
        // ends that at once. Without it they redialled every 0-100 ms for as long as the gateway ran.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var redials = await UrlRouteRedialsAsync(deployment);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var later = await UrlRouteRedialsAsync(deployment);
        Assert.True(later <= 4 && later == redials, $"URL-route redials 2 s after c left: {redials}, 2 s later {later}");
        Assert.True(await deployment.MetricAsync("natsroutes_gateway_handshake_failures_total{reason=\"url_route_ended\"}") >= 1,
            "the redials were answered with the dialler's own id");

        // Messages still cross (the URL routes carry none, and take none).
        await deployment.AssertRelaysBothWaysAsync(a, b);
    }

    /// <summary>Redials of URL routes that ended, answered or refused.</summary>
    private static async Task<double> UrlRouteRedialsAsync(GatewayDeployment deployment) =>
        await deployment.MetricAsync("natsroutes_gateway_handshake_failures_total{reason=\"url_route_ended\"}")
        + await deployment.MetricAsync("natsroutes_gateway_handshake_failures_total{reason=\"authorization\"}");

    [Fact]
    public async Task A_member_entering_lame_duck_mode_has_its_url_withdrawn_while_it_still_runs()
    {
        await using var deployment = await GatewayDeployment.StartAsync();
        var cluster = new ClusterRef("acme", "ldm");
        await deployment.CreateClusterAsync(cluster, Block("ldm"));
        var a = await deployment.StartMemberAsync(cluster, NatsServerBinaries.V2_10, "a", "urls-pass");
        // Clients are only closed after the grace period: the URL must go before that, as in a mesh.
        var b = await deployment.StartMemberAsync(cluster, NatsServerBinaries.V2_15, "b", "urls-pass",
            "lame_duck_grace_period: \"20s\"\nlame_duck_duration: \"60s\"");
        await deployment.WaitForMembersAsync(cluster, ["a", "b"]);
        await using var client = await ClientAsync(a);
        await Eventually.TrueAsync(() => Task.FromResult(Urls(client).SetEquals(Ports(a, b))), Wait,
            $"a client of a gets a and b; its INFOs so far: {client.Received}");

        // A server without clients skips lame-duck mode and shuts down at once: give b one.
        await deployment.ConnectAsync(b);
        Signals.LameDuck(b.ProcessId);
        await Eventually.TrueAsync(() => Task.FromResult(!Urls(client).Contains(b.ClientPort)), TimeSpan.FromSeconds(15),
            $"b's URL is withdrawn once b entered lame-duck mode; a's client got: {client.Received}");
        // Withdrawn on b's announcement, not because b went: it is still running (its listeners are closed).
        using var stillRunning = System.Diagnostics.Process.GetProcessById(b.ProcessId);
        Assert.False(stillRunning.HasExited);
    }

    [Fact]
    public async Task No_advertise_in_the_spec_keeps_every_url_to_its_member()
    {
        await using var deployment = await GatewayDeployment.StartAsync();
        var cluster = new ClusterRef("acme", "nourls");
        await deployment.CreateClusterAsync(cluster, Block("nourls", "no_advertise: true"));
        // The members themselves would take peers' URLs: only the gateway holds them back.
        static string Advertising(string block) => block.Replace("no_advertise: true", "no_advertise: false", StringComparison.Ordinal);
        var a = await deployment.StartMemberAsync(cluster, NatsServerBinaries.V2_15, "a", "urls-pass", edit: Advertising);
        var b = await deployment.StartMemberAsync(cluster, NatsServerBinaries.V2_10, "b", "urls-pass", edit: Advertising);
        await deployment.WaitForMembersAsync(cluster, ["a", "b"]);
        await deployment.AssertRelaysBothWaysAsync(a, b);

        await using var client = await ClientAsync(a);
        await Task.Delay(TimeSpan.FromSeconds(2)); // an offer would have been made and dialled by now
        Assert.DoesNotContain(b.ClientPort, Urls(client));
        using var routez = await a.MonitorAsync("routez");
        // Only the hub: no URL route was offered.
        Assert.Single(routez.RootElement.GetProperty("routes").EnumerateArray().Select(r => r.GetProperty("remote_id").GetString()).Distinct());
    }

    /// <summary>A client that takes async INFOs (protocol 1), as the official clients do.</summary>
    private static async Task<RawPeer> ClientAsync(NatsServerProcess member)
    {
        var peer = await RawPeer.ConnectAsync("127.0.0.1", member.ClientPort);
        await peer.SendAsync("CONNECT {\"verbose\":false,\"pedantic\":false,\"protocol\":1}\r\nPING\r\n");
        Assert.True(await peer.SawAsync("PONG", Wait), peer.Received);
        return peer;
    }

    /// <summary>The ports of the <c>connect_urls</c> in the last INFO a client got.</summary>
    private static HashSet<int> Urls(RawPeer client)
    {
        var text = client.Received;
        var at = text.LastIndexOf("INFO {", StringComparison.Ordinal);
        if (at < 0)
            return [];
        var end = text.IndexOf("\r\n", at, StringComparison.Ordinal);
        if (end < 0)
            return [];
        using var info = JsonDocument.Parse(text[(at + 5)..end]);
        if (!info.RootElement.TryGetProperty("connect_urls", out var urls))
            return [];
        return [.. urls.EnumerateArray().Select(u => int.Parse(u.GetString()![(u.GetString()!.LastIndexOf(':') + 1)..],
            System.Globalization.CultureInfo.InvariantCulture))];
    }

    private static HashSet<int> Ports(params NatsServerProcess[] members) => [.. members.Select(m => m.ClientPort)];
}

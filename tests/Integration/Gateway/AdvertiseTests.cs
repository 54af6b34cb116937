using Nats.OrleansRoutes.Grains;
using Nats.OrleansRoutes.TestKit;

namespace Nats.OrleansRoutes.Tests.Integration.Gateway;

/// <summary>
/// Members reach the gateway at the address it advertises (a DNS name here) rather than the one it
/// binds, and at an IPv6 address written in brackets.
/// </summary>
public sealed class AdvertiseTests
{
    private const string Block = """
        cluster {
          name: adv
          listen: 127.0.0.1:-1
          authorization { user: ruser, password: "adv-pass" }
        }
        """;

    [Fact]
    public async Task Members_dial_the_advertised_dns_name_and_the_gateways_info_names_it()
    {
        // Bound where "localhost" resolves, announced by name (as behind a DNS name TLS certificates carry).
        await using var deployment = await GatewayDeployment.StartAsync("--host", "127.0.0.1", "--advertise", "localhost");
        var cluster = new ClusterRef("acme", "adv");
        var view = await deployment.CreateClusterAsync(cluster, Block);
        Assert.Equal("localhost", view.Placement!.Host);

        var config = await deployment.Client.GetMemberConfigAsync(cluster, "a", "127.0.0.1:6222", "adv-pass");
        Assert.Contains($"nats-route://ruser:adv-pass@localhost:{view.Placement.Port}", config, StringComparison.Ordinal);
        Assert.DoesNotContain("@127.0.0.1:", config, StringComparison.Ordinal);

        await using (var peer = await RawPeer.ConnectAsync(deployment.GatewayHost, view.Placement.Port))
            Assert.True(await peer.SawAsync("\"host\":\"localhost\"", TimeSpan.FromSeconds(10)), peer.Received);

        var a = await deployment.StartMemberAsync(cluster, NatsServerBinaries.V2_10, "a", "adv-pass");
        var b = await deployment.StartMemberAsync(cluster, NatsServerBinaries.V2_15, "b", "adv-pass");
        await deployment.WaitForMembersAsync(cluster, ["a", "b"]);
        await deployment.AssertRelaysBothWaysAsync(a, b);
    }

    [Fact]
    public async Task A_gateway_on_ipv6_loopback_serves_members_through_bracketed_route_urls()
    {
        await using var deployment = await GatewayDeployment.StartAsync("--host", "::1");
        var cluster = new ClusterRef("acme", "adv6");
        var view = await deployment.CreateClusterAsync(cluster, Block.Replace("name: adv", "name: adv6", StringComparison.Ordinal));
        var config = await deployment.Client.GetMemberConfigAsync(cluster, "a", "127.0.0.1:6222", "adv-pass");
        Assert.Contains($"nats-route://ruser:adv-pass@[::1]:{view.Placement!.Port}", config, StringComparison.Ordinal);

        var a = await deployment.StartMemberAsync(cluster, NatsServerBinaries.V2_9, "a", "adv-pass");
        var b = await deployment.StartMemberAsync(cluster, NatsServerBinaries.V2_15, "b", "adv-pass");
        await deployment.WaitForMembersAsync(cluster, ["a", "b"]);
        await deployment.AssertRelaysBothWaysAsync(a, b);
    }
}

using System.Globalization;
using Nats.OrleansRoutes.Grains;
using Nats.OrleansRoutes.TestKit;
using Nats.OrleansRoutes.TestKit.Nats;

namespace Nats.OrleansRoutes.Tests.Integration.Gateway;

/// <summary>
/// A leaf cluster (two leaf servers routed to each other) whose servers attach to two different
/// members, the usual hub-and-spoke layout: leaf-origin interest and messages cross the hub with
/// their origin (LS±, LMSG), so the members keep the leaf cluster's own traffic out of it, as in a
/// mesh, and every message arrives once.
/// </summary>
public sealed class LeafOriginTests
{
    private const int Count = 200;

    [Theory]
    [InlineData(NatsServerBinaries.V2_15, NatsServerBinaries.V2_10)]
    [InlineData(NatsServerBinaries.V2_10, NatsServerBinaries.V2_15)]
    public async Task A_leaf_cluster_attached_to_two_members_gets_each_of_its_messages_once(string m1Version, string m2Version)
    {
        await using var deployment = await GatewayDeployment.StartAsync();
        var cluster = new ClusterRef("acme", "hubleaf");
        await deployment.CreateClusterAsync(cluster, """
            cluster {
              name: hubleaf
              listen: 127.0.0.1:-1
              authorization { user: ruser, password: "l3af-pass" }
            }
            """);
        var (m1Leaf, m2Leaf) = (FreePorts.Next(), FreePorts.Next());
        var m1 = await deployment.StartMemberAsync(cluster, m1Version, "m1", "l3af-pass", $"leafnodes {{ listen: 127.0.0.1:{Port(m1Leaf)} }}");
        var m2 = await deployment.StartMemberAsync(cluster, m2Version, "m2", "l3af-pass", $"leafnodes {{ listen: 127.0.0.1:{Port(m2Leaf)} }}");
        await deployment.WaitForMembersAsync(cluster, ["m1", "m2"]);

        var (l1Route, l2Route) = (FreePorts.Next(), FreePorts.Next());
        await using var l1 = await NatsServerProcess.StartAsync(NatsServerBinaries.V2_15, "l1", LeafServer("l1", l1Route, l2Route, m1Leaf));
        await using var l2 = await NatsServerProcess.StartAsync(NatsServerBinaries.V2_15, "l2", LeafServer("l2", l2Route, l1Route, m2Leaf));

        var publisher = await l1.ConnectAsync();
        var onLeaf = await (await l2.ConnectAsync()).SubscribeAsync("leaf.data", countOnly: true);
        var onM2Client = await deployment.ConnectAsync(m2);
        var onMember = await onM2Client.SubscribeAsync("leaf.data", countOnly: true);
        // Made last: once it works from l1 (l1 → m1 → hub → m2), the subscriptions above have crossed too.
        await InterestProbe.WaitAsync(onM2Client, publisher, TimeSpan.FromSeconds(30));

        await publisher.PublishBatchAsync("leaf.data", "x"u8.ToArray(), Count);
        await publisher.PingAsync();
        Assert.True(await onLeaf.WaitForCountAsync(Count, TimeSpan.FromSeconds(20)), $"the leaf subscriber got {onLeaf.Count} of {Count}");
        Assert.True(await onMember.WaitForCountAsync(Count, TimeSpan.FromSeconds(20)), $"the member's subscriber got {onMember.Count} of {Count}");
        await Task.Delay(TimeSpan.FromSeconds(1)); // a second copy would come through the members and the hub
        Assert.Equal(Count, onLeaf.Count);
        Assert.Equal(Count, onMember.Count);
    }

    /// <summary>
    /// Three members (one of each version), a single leaf server attached to one, and a leaf cluster
    /// attached to the other two; a publisher and a subscriber on each of the six servers: every
    /// subscriber gets every message exactly once, as through a mesh.
    /// </summary>
    [Theory]
    [InlineData(NatsServerBinaries.V2_9, NatsServerBinaries.V2_10, NatsServerBinaries.V2_15)]
    [InlineData(NatsServerBinaries.V2_15, NatsServerBinaries.V2_9, NatsServerBinaries.V2_10)]
    public async Task Publishers_and_subscribers_everywhere_get_each_message_once(string m1Version, string m2Version, string m3Version)
    {
        const int each = 50;
        await using var deployment = await GatewayDeployment.StartAsync();
        var cluster = new ClusterRef("acme", "hubleaf3");
        await deployment.CreateClusterAsync(cluster, """
            cluster {
              name: hubleaf3
              listen: 127.0.0.1:-1
              authorization { user: ruser, password: "l3af-pass" }
            }
            """);
        var leafPorts = new[] { FreePorts.Next(), FreePorts.Next(), FreePorts.Next() };
        var versions = new[] { m1Version, m2Version, m3Version };
        var members = new List<NatsServerProcess>();
        for (var i = 0; i < 3; i++)
            members.Add(await deployment.StartMemberAsync(cluster, versions[i], $"m{i + 1}", "l3af-pass", $"leafnodes {{ listen: 127.0.0.1:{Port(leafPorts[i])} }}"));
        await deployment.WaitForMembersAsync(cluster, ["m1", "m2", "m3"]);

        // A single leaf server on m1; a leaf cluster whose servers attach to m2 and m3.
        await using var single = await NatsServerProcess.StartAsync(NatsServerBinaries.V2_15, "s1",
            $"server_name: s1\nleafnodes {{ remotes: [ {{ url: \"nats-leaf://127.0.0.1:{Port(leafPorts[0])}\" }} ] }}");
        var (l1Route, l2Route) = (FreePorts.Next(), FreePorts.Next());
        await using var l1 = await NatsServerProcess.StartAsync(NatsServerBinaries.V2_15, "l1", LeafServer("l1", l1Route, l2Route, leafPorts[1]));
        await using var l2 = await NatsServerProcess.StartAsync(NatsServerBinaries.V2_15, "l2", LeafServer("l2", l2Route, l1Route, leafPorts[2]));

        var servers = members.Concat([single, l1, l2]).ToList();
        var subscriberClients = new List<NatsClient>();
        var publishers = new List<NatsClient>();
        var subscriptions = new List<(string Server, NatsSubscription Subscription)>();
        foreach (var server in servers)
        {
            var client = await server.ConnectAsync(name: $"sub-{server.Name}");
            subscriberClients.Add(client);
            subscriptions.Add((server.Name, await client.SubscribeAsync("everywhere.data", countOnly: true)));
            publishers.Add(await server.ConnectAsync(name: $"pub-{server.Name}"));
        }
        try
        {
            await InterestProbe.WaitAllAsync(subscriberClients, publishers);
            foreach (var publisher in publishers)
            {
                await publisher.PublishBatchAsync("everywhere.data", "x"u8.ToArray(), each);
                await publisher.PingAsync();
            }
            var expected = each * publishers.Count;
            foreach (var (server, subscription) in subscriptions)
                Assert.True(await subscription.WaitForCountAsync(expected, TimeSpan.FromSeconds(20)), $"the subscriber on {server} got {subscription.Count} of {expected}");
            await Task.Delay(TimeSpan.FromSeconds(1)); // a second copy would come round through the hub
            Assert.All(subscriptions, s => Assert.True(s.Subscription.Count == expected, $"the subscriber on {s.Server} got {s.Subscription.Count}, not {expected}"));
        }
        finally
        {
            foreach (var client in subscriberClients.Concat(publishers))
                await client.DisposeAsync();
        }
    }

    private static string LeafServer(string name, int routePort, int peerRoutePort, int memberLeafPort) => $$"""
        server_name: {{name}}
        cluster {
          name: LEAFC
          listen: 127.0.0.1:{{Port(routePort)}}
          routes: ["nats-route://127.0.0.1:{{Port(peerRoutePort)}}"]
        }
        leafnodes { remotes: [ { url: "nats-leaf://127.0.0.1:{{Port(memberLeafPort)}}" } ] }
        """;

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);
}

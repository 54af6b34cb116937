using Nats.OrleansRoutes.Grains;
using Nats.OrleansRoutes.TestKit;
using Nats.OrleansRoutes.TestKit.Nats;

namespace Nats.OrleansRoutes.Tests.Integration.Gateway;

/// <summary>
/// Failover groups: two groups of two gateways, each group with the same two-port range, serve
/// four clusters, twice as many as the range has ports; each relays, members list only their
/// group's gateways, and when a holder is killed its group's other gateway takes over on the same port.
/// </summary>
public sealed class FailoverGroupTests
{
    private const string Password = "gr0up-pass";

    [Fact]
    public async Task Two_groups_serve_twice_the_clusters_one_port_range_holds_and_fail_over_within_their_group()
    {
        await using var deployment = await GatewayDeployment.StartAsync(4, i => ["--ports", "24300-24301", "--group", i <= 2 ? "east" : "west"]);
        var gatewaysById = deployment.Gateways.ToDictionary(g => g.Id);
        string GroupOf(string gatewayId) => int.Parse(gatewayId[2..], System.Globalization.CultureInfo.InvariantCulture) <= 2 ? "east" : "west";

        var clusters = Enumerable.Range(1, 4).Select(i => new ClusterRef("acme", $"grp{i}")).ToList();
        var views = new List<ClusterView>();
        foreach (var cluster in clusters)
        {
            await deployment.Client.ImportClusterAsync(cluster, $$"""
                cluster {
                  name: {{cluster.Name}}
                  listen: 127.0.0.1:-1
                  authorization { user: ruser, password: "{{Password}}" }
                }
                """, $"{cluster.Name}.conf");
            await Eventually.TrueAsync(async () => (await deployment.Client.GetClusterAsync(cluster)).Placement is { } placed
                && await GatewayDeployment.ServedAsync(cluster, gatewaysById[placed.GatewayId]) is not null,
                TimeSpan.FromSeconds(30), $"{cluster} is served by the gateway it is placed on");
            views.Add(await deployment.Client.GetClusterAsync(cluster));
        }
        // Four clusters on two ports: each (group, port) once, each group full.
        var slots = views.Select(v => (Group: GroupOf(v.Placement!.GatewayId), v.Placement.Port)).ToList();
        Assert.Equal(4, slots.Distinct().Count());
        Assert.All(slots, s => Assert.InRange(s.Port, 24300, 24301));
        Assert.Equal(2, slots.Count(s => s.Group == "east"));

        // A fifth finds no free port and says why.
        await deployment.Client.ImportClusterAsync(new ClusterRef("acme", "grp5"), "cluster {\n  name: grp5\n  listen: 127.0.0.1:-1\n}\n", "grp5.conf");
        Assert.Null((await deployment.Client.GetClusterAsync(new ClusterRef("acme", "grp5"))).Placement);

        var members = new List<(NatsServerProcess A, NatsServerProcess B)>();
        for (var i = 0; i < clusters.Count; i++)
        {
            var config = await deployment.Client.GetMemberConfigAsync(clusters[i], $"g{i}a", "127.0.0.1:6222", Password);
            // Routes to the two gateways of the cluster's group, none to the other group's.
            foreach (var gateway in deployment.Gateways)
            {
                var listed = config.Contains($"@{gateway.Host}:{views[i].Placement!.Port}", StringComparison.Ordinal);
                Assert.Equal(GroupOf(gateway.Id) == GroupOf(views[i].Placement!.GatewayId), listed);
            }
            var a = await deployment.StartMemberAsync(clusters[i], NatsServerBinaries.V2_15, $"g{i}a", Password);
            var b = await deployment.StartMemberAsync(clusters[i], NatsServerBinaries.V2_10, $"g{i}b", Password);
            members.Add((a, b));
        }
        for (var i = 0; i < clusters.Count; i++)
        {
            await BothMembersAsync(clusters[i], gatewaysById[views[i].Placement!.GatewayId]);
            await deployment.AssertRelaysBothWaysAsync(members[i].A, members[i].B);
        }

        // Kill -9 of the first cluster's holder: its group's other gateway takes it, same port.
        var holder = views[0].Placement!;
        gatewaysById[holder.GatewayId].Process.Kill();
        var heir = deployment.Gateways.Single(g => g.Id != holder.GatewayId && GroupOf(g.Id) == GroupOf(holder.GatewayId));
        await Eventually.TrueAsync(async () => await GatewayDeployment.ServedAsync(clusters[0], heir) is not null,
            TimeSpan.FromSeconds(40), $"{heir.Id} serves {clusters[0]}");
        var moved = (await deployment.Client.GetClusterAsync(clusters[0])).Placement!;
        Assert.Equal((heir.Id, holder.Port), (moved.GatewayId, moved.Port));
        await BothMembersAsync(clusters[0], heir); // without an edit of their configuration
        await deployment.AssertRelaysBothWaysAsync(members[0].A, members[0].B);
    }

    private static Task BothMembersAsync(ClusterRef cluster, GatewayProcess gateway) =>
        Eventually.TrueAsync(async () => (await GatewayDeployment.ServedAsync(cluster, gateway))?.GetProperty("members").GetArrayLength() == 2,
            TimeSpan.FromSeconds(30), $"both members of {cluster} register with {gateway.Id}");
}

using Nats.OrleansRoutes.Grains;
using Nats.OrleansRoutes.TestKit;

namespace Nats.OrleansRoutes.Tests.Integration.Gateway;

/// <summary>What keeps clusters apart: route credentials, and one endpoint and hub per cluster.</summary>
public sealed class ClusterBoundaryTests(PoolDeployment shared) : IClassFixture<PoolDeployment>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private GatewayDeployment Deployment => shared.Deployment;

    private static string Conf(string name, string password) => $$"""
        cluster {
          name: {{name}}
          listen: 127.0.0.1:-1
          authorization { user: ruser, password: "{{password}}" }
        }
        """;

    [Fact]
    public async Task A_wrong_route_password_is_refused_and_logged_until_the_operator_fixes_it_with_the_cli()
    {
        var cluster = new ClusterRef("acme", "auth");
        await Deployment.CreateClusterAsync(cluster, Conf("auth", "the-right-one"));
        // Both members were given a password the service does not know.
        var first = await Deployment.StartMemberAsync(cluster, NatsServerBinaries.V2_15, "a1", "typo-in-the-vault");
        var second = await Deployment.StartMemberAsync(cluster, NatsServerBinaries.V2_9, "a2", "typo-in-the-vault");

        await Deployment.Gateway.WaitForLineAsync("route from 127.0.0.1:", Wait);
        await Eventually.TrueAsync(() => Task.FromResult(
                Deployment.Gateway.Output.Contains("refused: authentication error - User \"ruser\"", StringComparison.Ordinal)
                && first.Output.Contains("Authorization Violation", StringComparison.Ordinal)
                && second.Output.Contains("Authorization Violation", StringComparison.Ordinal)),
            Wait, "the gateway logs the refusal and both members are told Authorization Violation");
        Assert.Empty(await Deployment.MembersAsync(cluster));

        var fix = await NatsRoutesCli.RunAsync("cluster", "set", cluster.Key, "authorization.password", "typo-in-the-vault",
            "--redis", Deployment.Redis.Endpoint, "--prefix", Deployment.Prefix);
        Assert.True(fix.ExitCode == 0, fix.AllOutput);
        Assert.DoesNotContain("typo-in-the-vault", fix.AllOutput, StringComparison.Ordinal);

        // nats-server keeps redialling explicit routes: no restart needed.
        await Deployment.WaitForMembersAsync(cluster, ["a1", "a2"]);
        var publisher = await Deployment.ConnectAsync(first);
        var subscriber = await Deployment.ConnectAsync(second);
        var subscription = await subscriber.SubscribeAsync("auth.fixed");
        await InterestProbe.WaitAsync(subscriber, publisher);
        await publisher.PublishAsync("auth.fixed", "routes are up");
        Assert.Equal("routes are up", (await subscription.NextAsync(Wait)).Text);
    }

    [Fact]
    public async Task Two_clusters_on_one_gateway_never_see_each_others_traffic()
    {
        // Same cluster name, account and subjects in both: only the endpoint tells them apart.
        var red = new ClusterRef("red-tenant", "prod");
        var blue = new ClusterRef("blue-tenant", "prod");
        var redView = await Deployment.CreateClusterAsync(red, Conf("prod", "red-pass"));
        var blueView = await Deployment.CreateClusterAsync(blue, Conf("prod", "blue-pass"));
        Assert.Equal(redView.Placement!.GatewayId, blueView.Placement!.GatewayId);
        Assert.NotEqual(redView.Placement.Port, blueView.Placement.Port);
        const string accounts = "accounts { A: { users: [ { user: a, password: a } ] } }";
        var red1 = await Deployment.StartMemberAsync(red, NatsServerBinaries.V2_15, "s1", "red-pass", accounts);
        var red2 = await Deployment.StartMemberAsync(red, NatsServerBinaries.V2_10, "s2", "red-pass", accounts);
        var blue1 = await Deployment.StartMemberAsync(blue, NatsServerBinaries.V2_15, "s1", "blue-pass", accounts);
        var blue2 = await Deployment.StartMemberAsync(blue, NatsServerBinaries.V2_10, "s2", "blue-pass", accounts);
        await Deployment.WaitForMembersAsync(red, ["s1", "s2"]);
        await Deployment.WaitForMembersAsync(blue, ["s1", "s2"]);

        var redPublisher = await Deployment.ConnectAsync(red1, "a", "a");
        var redSubscriber = await Deployment.ConnectAsync(red2, "a", "a");
        var bluePublisher = await Deployment.ConnectAsync(blue1, "a", "a");
        var blueSubscriber = await Deployment.ConnectAsync(blue2, "a", "a");
        var redInbox = await redSubscriber.SubscribeAsync("orders.>");
        var blueInbox = await blueSubscriber.SubscribeAsync("orders.>");
        var redQueue = await redSubscriber.SubscribeAsync("orders.new", queue: "billing");
        var blueQueue = await blueSubscriber.SubscribeAsync("orders.new", queue: "billing");
        await InterestProbe.WaitAsync(redSubscriber, redPublisher);
        await InterestProbe.WaitAsync(blueSubscriber, bluePublisher);

        for (var n = 0; n < 50; n++)
        {
            await redPublisher.PublishAsync("orders.new", $"red-{n}");
            await bluePublisher.PublishAsync("orders.new", $"blue-{n}");
        }

        var redGot = await redInbox.CollectAsync(50, Wait);
        var blueGot = await blueInbox.CollectAsync(50, Wait);
        // Probes after the messages: anything that crossed would have arrived by now.
        await InterestProbe.WaitAsync(redSubscriber, redPublisher);
        await InterestProbe.WaitAsync(blueSubscriber, bluePublisher);
        redGot.AddRange(await redInbox.DrainAsync(TimeSpan.FromMilliseconds(200)));
        blueGot.AddRange(await blueInbox.DrainAsync(TimeSpan.FromMilliseconds(200)));
        Assert.Equal(Enumerable.Range(0, 50).Select(n => $"red-{n}"), redGot.Select(m => m.Text));
        Assert.Equal(Enumerable.Range(0, 50).Select(n => $"blue-{n}"), blueGot.Select(m => m.Text));
        Assert.All(await redQueue.DrainAsync(TimeSpan.FromMilliseconds(100)), m => Assert.StartsWith("red-", m.Text, StringComparison.Ordinal));
        Assert.All(await blueQueue.DrainAsync(TimeSpan.FromMilliseconds(100)), m => Assert.StartsWith("blue-", m.Text, StringComparison.Ordinal));
        Assert.Equal(50, redQueue.Count);
        Assert.Equal(50, blueQueue.Count);

        // A member with the other cluster's password and port is refused: credentials are per cluster.
        var intruder = await Deployment.StartMemberAsync(red, NatsServerBinaries.V2_15, "intruder", "blue-pass", accounts);
        await Eventually.TrueAsync(() => Task.FromResult(intruder.Output.Contains("Authorization Violation", StringComparison.Ordinal)),
            Wait, "red's endpoint refuses blue's password");
        Assert.DoesNotContain("intruder", (await Deployment.MembersAsync(red)).Keys);
    }
}

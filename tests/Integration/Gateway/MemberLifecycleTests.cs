using Nats.OrleansRoutes.Grains;
using Nats.OrleansRoutes.TestKit;

namespace Nats.OrleansRoutes.Tests.Integration.Gateway;

/// <summary>Interest as members come and go and clients subscribe and unsubscribe. Each test has its own cluster.</summary>
public sealed class MemberLifecycleTests(PoolDeployment shared) : IClassFixture<PoolDeployment>
{
    private const string Password = "l1fecycle-pass";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private GatewayDeployment Deployment => shared.Deployment;

    private async Task<ClusterRef> CreateClusterAsync(string name)
    {
        var cluster = new ClusterRef("lifecycle", name);
        await Deployment.CreateClusterAsync(cluster, $$"""
            cluster {
              name: {{name}}
              listen: 127.0.0.1:-1
              authorization { user: ruser, password: "{{Password}}" }
            }
            """);
        return cluster;
    }

    [Fact]
    public async Task Interest_made_before_a_member_joins_reaches_it_and_its_own_reaches_the_others()
    {
        var cluster = await CreateClusterAsync("late");
        var first = await Deployment.StartMemberAsync(cluster, NatsServerBinaries.V2_10, "l1", Password);
        var second = await Deployment.StartMemberAsync(cluster, NatsServerBinaries.V2_15, "l2", Password);
        await Deployment.WaitForMembersAsync(cluster, ["l1", "l2"]);
        var onFirst = await Deployment.ConnectAsync(first);
        var onSecond = await Deployment.ConnectAsync(second);
        var early = await onFirst.SubscribeAsync("early.>");
        await InterestProbe.WaitAsync(onFirst, onSecond);

        var late = await Deployment.StartMemberAsync(cluster, NatsServerBinaries.V2_9, "l3", Password);
        await Deployment.WaitForMembersAsync(cluster, ["l3"]);
        var onLate = await Deployment.ConnectAsync(late);
        // The probe is subscribed after l3 joined; early.> had to be replayed to l3 at its join.
        await InterestProbe.WaitAsync(onFirst, onLate);
        await onLate.PublishAsync("early.from-late", "hello from l3");
        Assert.Equal("hello from l3", (await early.NextAsync(Wait)).Text);

        var lateSubscription = await onLate.SubscribeAsync("late.>");
        await InterestProbe.WaitAllAsync([onLate], [onFirst, onSecond]);
        await onFirst.PublishAsync("late.a", "from l1");
        await onSecond.PublishAsync("late.b", "from l2");
        var received = await lateSubscription.CollectAsync(2, Wait);
        Assert.Equal(["from l1", "from l2"], received.Select(m => m.Text).Order());
    }

    [Fact]
    public async Task Unsubscribe_stops_delivery_and_interest_is_reference_counted()
    {
        var cluster = await CreateClusterAsync("unsub");
        var publisherServer = await Deployment.StartMemberAsync(cluster, NatsServerBinaries.V2_15, "u1", Password);
        var subscriberServer = await Deployment.StartMemberAsync(cluster, NatsServerBinaries.V2_10, "u2", Password);
        var thirdServer = await Deployment.StartMemberAsync(cluster, NatsServerBinaries.V2_15, "u3", Password);
        await Deployment.WaitForMembersAsync(cluster, ["u1", "u2", "u3"]);
        var publisher = await Deployment.ConnectAsync(publisherServer);
        var subscriber = await Deployment.ConnectAsync(subscriberServer);
        var other = await Deployment.ConnectAsync(thirdServer);

        var one = await subscriber.SubscribeAsync("unsub.x");
        var two = await subscriber.SubscribeAsync("unsub.x");
        var elsewhere = await other.SubscribeAsync("unsub.x");
        await InterestProbe.WaitAllAsync([subscriber, other], [publisher]);
        await publisher.PublishAsync("unsub.x", "1");
        Assert.Equal("1", (await one.NextAsync(Wait)).Text);
        Assert.Equal("1", (await two.NextAsync(Wait)).Text);
        Assert.Equal("1", (await elsewhere.NextAsync(Wait)).Text);
        Assert.Contains("unsub.x", await thirdServer.RouteInterestAsync());

        // One of u2's two subscriptions goes: u2 still wants unsub.x.
        await one.UnsubscribeAsync();
        await InterestProbe.WaitAsync(subscriber, publisher);
        await publisher.PublishAsync("unsub.x", "2");
        Assert.Equal("2", (await two.NextAsync(Wait)).Text);

        // The last one on u2 goes: u2 gets nothing more, u3 still does.
        await two.UnsubscribeAsync();
        await InterestProbe.WaitAsync(subscriber, publisher);
        for (var n = 3; n <= 7; n++)
            await publisher.PublishAsync("unsub.x", n.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(["2", "3", "4", "5", "6", "7"], (await elsewhere.CollectAsync(6, Wait)).Select(m => m.Text));
        // The probe after the messages proves they went past u2 already.
        await InterestProbe.WaitAsync(subscriber, publisher);
        Assert.False(one.TryNext(out _));
        Assert.False(two.TryNext(out _));
        // u3 learned unsub.x from the gateway only for u2's sake; that is withdrawn now.
        Assert.DoesNotContain("unsub.x", await thirdServer.RouteInterestAsync());
    }

    [Fact]
    public async Task A_member_killed_and_restarted_has_its_interest_removed_and_added_again()
    {
        var cluster = await CreateClusterAsync("restart");
        var steady = await Deployment.StartMemberAsync(cluster, NatsServerBinaries.V2_15, "r1", Password);
        var victim = await Deployment.StartMemberAsync(cluster, NatsServerBinaries.V2_10, "r2", Password);
        var bystander = await Deployment.StartMemberAsync(cluster, NatsServerBinaries.V2_9, "r3", Password);
        await Deployment.WaitForMembersAsync(cluster, ["r1", "r2", "r3"]);
        var publisher = await Deployment.ConnectAsync(steady);
        var local = await publisher.SubscribeAsync("restart.>");
        var onBystander = await Deployment.ConnectAsync(bystander);
        var watching = await onBystander.SubscribeAsync("restart.>");
        var onVictim = await Deployment.ConnectAsync(victim);
        await onVictim.SubscribeAsync("victim.only");
        await InterestProbe.WaitAllAsync([onBystander, onVictim], [publisher]);
        Assert.Contains("victim.only", await steady.RouteInterestAsync());

        await victim.KillAsync();
        await Eventually.TrueAsync(async () => !(await Deployment.MembersAsync(cluster)).ContainsKey("r2"), Wait, "the gateway drops r2");
        try
        {
            await Eventually.TrueAsync(async () => !(await steady.RouteInterestAsync()).Contains("victim.only"), Wait,
                "r2's interest is withdrawn from r1");
        }
        catch (TimeoutException e)
        {
            // What r1 holds on which route, and what the gateway thinks: the evidence for a miss.
            using var routez = await steady.MonitorAsync("routez?subs=1");
            var errors = string.Join('\n', Deployment.Gateway.Output.Split('\n').Where(l => l.Contains("fail:", StringComparison.Ordinal) || l.Contains("restart", StringComparison.Ordinal) || l.Contains("dbug:", StringComparison.Ordinal)).TakeLast(120));
            throw new TimeoutException($"{e.Message}\nr1's /routez: {routez.RootElement}\ngateway: {System.Text.Json.JsonSerializer.Serialize(await Deployment.MembersAsync(cluster))}\ngateway log: {errors}", e);
        }
        for (var n = 0; n < 20; n++)
            await publisher.PublishAsync($"restart.{n}", "while r2 is down");
        Assert.Equal(20, (await local.CollectAsync(20, Wait)).Count);
        Assert.Equal(20, (await watching.CollectAsync(20, Wait)).Count);

        await victim.StartAgainAsync();
        await Deployment.WaitForMembersAsync(cluster, ["r2"]);
        var again = await Deployment.ConnectAsync(victim);
        var back = await again.SubscribeAsync("victim.only");
        await InterestProbe.WaitAsync(again, publisher);
        Assert.Contains("victim.only", await steady.RouteInterestAsync());
        await publisher.PublishAsync("victim.only", "welcome back");
        Assert.Equal("welcome back", (await back.NextAsync(Wait)).Text);
        // Interest r2 had from r1 and r3 before the crash was replayed at its return.
        await again.PublishAsync("restart.back", "r2 publishes");
        Assert.Equal("r2 publishes", (await watching.NextAsync(Wait)).Text);
        Assert.Equal("r2 publishes", (await local.NextAsync(Wait)).Text);
    }
}

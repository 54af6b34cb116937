using System.Globalization;
using Nats.OrleansRoutes.Grains;
using Nats.OrleansRoutes.TestKit;

namespace Nats.OrleansRoutes.Tests.Integration.Gateway;

/// <summary>
/// The reliability rule for the control plane: while the silos and Redis are down for less than a
/// lease, the gateway keeps relaying on its cached decisions, and renews the lease once they are back.
/// </summary>
public sealed class ControlPlaneOutageTests
{
    private const string Password = "0utage-pass";
    private static readonly ClusterRef Cluster = new("acme", "outage");
    private const string Renewed = "natsroutes_gateway_lease_renewals_total{outcome=\"renewed\"}";

    [Fact]
    public async Task Relaying_goes_on_through_a_silo_and_redis_outage_shorter_than_the_lease()
    {
        await using var deployment = await GatewayDeployment.StartAsync(gateways: 1, [], durableRedis: true);
        await deployment.CreateClusterAsync(Cluster, $$"""
            cluster {
              name: outage
              listen: 127.0.0.1:-1
              authorization { user: ruser, password: "{{Password}}" }
            }
            """);
        var a = await deployment.StartMemberAsync(Cluster, NatsServerBinaries.V2_15, "out-a", Password);
        var b = await deployment.StartMemberAsync(Cluster, NatsServerBinaries.V2_10, "out-b", Password);
        await deployment.WaitForMembersAsync(Cluster, ["out-a", "out-b"]);
        var publisher = await deployment.ConnectAsync(a);
        var subscriber = await deployment.ConnectAsync(b);
        var received = await subscriber.SubscribeAsync("stream.>");
        await InterestProbe.WaitAsync(subscriber, publisher);

        // Start right after a renewal, so the fence is a whole lease minus the margin (12 s) away.
        var renewals = await deployment.MetricAsync(Renewed);
        await Eventually.TrueAsync(async () => await deployment.MetricAsync(Renewed) > renewals, TimeSpan.FromSeconds(10), "a lease renewal");
        var outageStarted = DateTime.UtcNow;
        deployment.Silo.Kill();
        await deployment.Redis.StopAsync();

        var sent = 0;
        async Task StreamUntilAsync(DateTime until)
        {
            while (DateTime.UtcNow < until)
            {
                await publisher.PublishAsync("stream.seq", (sent++).ToString(CultureInfo.InvariantCulture));
                await Task.Delay(20);
            }
        }

        await StreamUntilAsync(outageStarted.AddSeconds(4));
        await deployment.Redis.StartAgainAsync();
        await deployment.StartSiloAsync();
        // Past the end of the lease held when the outage began: only renewals after it keep the cluster served.
        await StreamUntilAsync(outageStarted.AddSeconds(20));

        var messages = await received.CollectAsync(sent, TimeSpan.FromSeconds(10));
        Assert.Equal(Enumerable.Range(0, sent).Select(i => i.ToString(CultureInfo.InvariantCulture)), messages.Select(m => m.Text));
        Assert.Equal("serving", (await deployment.ServedAsync(Cluster))?.GetProperty("state").GetString());
        Assert.True(await deployment.MetricAsync(Renewed) > renewals + 1, "the lease was renewed after the outage");
    }
}

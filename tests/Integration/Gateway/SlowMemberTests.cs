using Nats.OrleansRoutes.Grains;
using Nats.OrleansRoutes.TestKit;

namespace Nats.OrleansRoutes.Tests.Integration.Gateway;

/// <summary>A member that stops reading is cut off by the gateway; the others do not wait for it.</summary>
public sealed class SlowMemberTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_member_that_stops_reading_is_disconnected_and_the_others_keep_receiving()
    {
        await using var deployment = await GatewayDeployment.StartAsync("--max-pending", "2M");
        var cluster = new ClusterRef("acme", "slow");
        await deployment.CreateClusterAsync(cluster, """
            cluster {
              name: slow
              listen: 127.0.0.1:-1
              authorization { user: ruser, password: "s1ow-pass" }
            }
            """);
        var source = await deployment.StartMemberAsync(cluster, NatsServerBinaries.V2_15, "source", "s1ow-pass");
        var healthy = await deployment.StartMemberAsync(cluster, NatsServerBinaries.V2_10, "healthy", "s1ow-pass");
        var stuck = await deployment.StartMemberAsync(cluster, NatsServerBinaries.V2_15, "stuck", "s1ow-pass");
        await deployment.WaitForMembersAsync(cluster, ["source", "healthy", "stuck"]);
        var publisher = await deployment.ConnectAsync(source);
        var onHealthy = await deployment.ConnectAsync(healthy);
        var onStuck = await deployment.ConnectAsync(stuck);
        var received = await onHealthy.SubscribeAsync("flood.>", countOnly: true);
        await onStuck.SubscribeAsync("flood.>", countOnly: true);
        await InterestProbe.WaitAllAsync([onHealthy, onStuck], [publisher]);

        // The stuck member's process is frozen: its sockets fill, then the gateway's buffer for it.
        Signals.Stop(stuck.ProcessId);
        const int count = 40_000;
        var payload = new byte[1024];
        try
        {
            for (var sent = 0; sent < count; sent += 500)
                await publisher.PublishBatchAsync("flood.data", payload, 500);
            Assert.True(await received.WaitForCountAsync(count, Wait), $"the healthy member received {received.Count} of {count}\n{deployment.Gateway.Output}");
            await deployment.Gateway.WaitForLineAsync("member stuck at", Wait);
            Assert.Contains("is a slow consumer", deployment.Gateway.Output, StringComparison.Ordinal);
        }
        finally
        {
            Signals.Continue(stuck.ProcessId);
        }

        // Thawed, the member redials the connection it lost and gets traffic again.
        await Eventually.TrueAsync(async () =>
        {
            var members = await deployment.MembersAsync(cluster);
            return members.TryGetValue("stuck", out var m) && m.GetProperty("connections").GetArrayLength() >= 4;
        }, Wait, "the stuck member reconnects its closed route");
        var again = await deployment.ConnectAsync(stuck);
        var after = await again.SubscribeAsync("after.thaw");
        await InterestProbe.WaitAsync(again, publisher);
        await publisher.PublishAsync("after.thaw", "back");
        Assert.Equal("back", (await after.NextAsync(Wait)).Text);
    }
}

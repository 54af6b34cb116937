using System.Diagnostics;
using Nats.OrleansRoutes.Grains;
using Nats.OrleansRoutes.TestKit;

namespace Nats.OrleansRoutes.Tests.Integration.Gateway;

/// <summary>
/// The spec's <c>ping_interval</c>, <c>ping_max</c> and <c>write_deadline</c> govern that cluster's
/// connections at the gateway (the gateway's flags, 30 s × 2 PINGs and 10 s, are far longer here),
/// and member-config gives them to the members.
/// </summary>
public sealed class ClusterTimersTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_frozen_member_is_closed_as_stale_after_the_specs_ping_interval_and_ping_max()
    {
        await using var deployment = await GatewayDeployment.StartAsync();
        var cluster = new ClusterRef("acme", "pings");
        await deployment.CreateClusterAsync(cluster, """
            cluster {
              name: pings
              listen: 127.0.0.1:-1
              authorization { user: ruser, password: "p1ngs-pass" }
              ping_interval: "1s"
              ping_max: 1
            }
            """);
        var config = await deployment.Client.GetMemberConfigAsync(cluster, "frozen", "127.0.0.1:6222", "x", serverVersion: NatsServerBinaries.V2_15);
        Assert.Contains("ping_interval: \"1s\"", config, StringComparison.Ordinal);
        Assert.Contains("ping_max: 1", config, StringComparison.Ordinal);

        var alive = await deployment.StartMemberAsync(cluster, NatsServerBinaries.V2_10, "alive", "p1ngs-pass");
        var frozen = await deployment.StartMemberAsync(cluster, NatsServerBinaries.V2_15, "frozen", "p1ngs-pass");
        await deployment.WaitForMembersAsync(cluster, ["alive", "frozen"]);

        Signals.Stop(frozen.ProcessId);
        var since = Stopwatch.StartNew();
        try
        {
            var line = await deployment.Gateway.WaitForLineAsync("PINGs unanswered", Wait);
            Assert.Contains("frozen", line, StringComparison.Ordinal);
            // 1 s to the first PING, 1 s more with it unanswered: far below the gateway's 90 s.
            Assert.True(since.Elapsed < TimeSpan.FromSeconds(10), $"closed as stale after {since.Elapsed}");
        }
        finally
        {
            Signals.Continue(frozen.ProcessId);
        }
        // The member that answers its PINGs every second is never closed.
        Assert.DoesNotContain("(alive,", LinesWith(deployment.Gateway.Output, "PINGs unanswered"), StringComparison.Ordinal);
        await deployment.WaitForMembersAsync(cluster, ["alive", "frozen"]);
        await deployment.AssertRelaysBothWaysAsync(alive, frozen);
    }

    [Fact]
    public async Task A_member_that_stops_reading_is_cut_off_after_the_specs_write_deadline()
    {
        // A pending limit the flood cannot reach: only the write deadline can close the member.
        await using var deployment = await GatewayDeployment.StartAsync("--max-pending", "1G");
        var cluster = new ClusterRef("acme", "deadline");
        await deployment.CreateClusterAsync(cluster, """
            cluster {
              name: deadline
              listen: 127.0.0.1:-1
              authorization { user: ruser, password: "dead1ine-pass" }
              write_deadline: "1s"
            }
            """);
        var config215 = await deployment.Client.GetMemberConfigAsync(cluster, "stuck", "127.0.0.1:6222", "x", serverVersion: NatsServerBinaries.V2_15);
        Assert.Contains("write_deadline: \"1s\"", config215, StringComparison.Ordinal);
        var config210 = await deployment.Client.GetMemberConfigAsync(cluster, "source", "127.0.0.1:6222", "x", serverVersion: NatsServerBinaries.V2_10);
        Assert.DoesNotContain("write_deadline", config210, StringComparison.Ordinal); // 2.10 refuses the field

        var source = await deployment.StartMemberAsync(cluster, NatsServerBinaries.V2_10, "source", "dead1ine-pass");
        var stuck = await deployment.StartMemberAsync(cluster, NatsServerBinaries.V2_15, "stuck", "dead1ine-pass");
        await deployment.WaitForMembersAsync(cluster, ["source", "stuck"]);
        var publisher = await deployment.ConnectAsync(source);
        var onStuck = await deployment.ConnectAsync(stuck);
        await onStuck.SubscribeAsync("flood.>", countOnly: true);
        await InterestProbe.WaitAllAsync([onStuck], [publisher]);

        Signals.Stop(stuck.ProcessId);
        var since = Stopwatch.StartNew();
        try
        {
            var payload = new byte[1024];
            for (var sent = 0; sent < 40_000 && !deployment.Gateway.Output.Contains("a send blocked for", StringComparison.Ordinal); sent += 500)
                await publisher.PublishBatchAsync("flood.data", payload, 500);
            var line = await deployment.Gateway.WaitForLineAsync("a send blocked for", Wait);
            Assert.Contains("stuck", line, StringComparison.Ordinal);
            // The flood fills the sockets within a second or two, then 1 s blocked: well before the
            // gateway's own 10 s deadline (and its 30 s × 2 PINGs).
            Assert.True(since.Elapsed < TimeSpan.FromSeconds(7), $"cut off after {since.Elapsed}");
        }
        finally
        {
            Signals.Continue(stuck.ProcessId);
        }
    }

    private static string LinesWith(string output, string text) =>
        string.Join('\n', output.Split('\n').Where(l => l.Contains(text, StringComparison.Ordinal)));
}

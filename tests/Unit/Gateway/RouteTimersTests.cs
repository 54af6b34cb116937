using Nats.OrleansRoutes.Config.Cluster;
using Nats.OrleansRoutes.Gateway;
using Nats.OrleansRoutes.Gateway.Serving;

namespace Nats.OrleansRoutes.Tests.Unit.Gateway;

public sealed class RouteTimersTests
{
    private static readonly GatewayOptions Flags = new() { PingInterval = TimeSpan.FromSeconds(15), MaxPingsOut = 3, WriteDeadline = TimeSpan.FromSeconds(10) };

    [Fact]
    public void A_spec_without_timers_gets_the_gateways_flags()
    {
        Assert.Equal(new RouteTimers(TimeSpan.FromSeconds(15), 3, TimeSpan.FromSeconds(10)), RouteTimers.Of(new ClusterSpec(), Flags));
    }

    [Fact]
    public void The_specs_timers_win_and_ping_interval_is_capped_at_30_seconds_as_for_nats_server_routes()
    {
        var spec = new ClusterSpec { PingInterval = TimeSpan.FromMinutes(2), PingMax = 1, WriteDeadline = TimeSpan.FromSeconds(2) };
        Assert.Equal(new RouteTimers(TimeSpan.FromSeconds(30), 1, TimeSpan.FromSeconds(2)), RouteTimers.Of(spec, Flags));
        Assert.Equal(TimeSpan.FromSeconds(5), RouteTimers.Of(spec with { PingInterval = TimeSpan.FromSeconds(5) }, Flags).PingInterval);
    }
}

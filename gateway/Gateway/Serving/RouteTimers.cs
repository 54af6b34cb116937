using Nats.OrleansRoutes.Config.Cluster;

namespace Nats.OrleansRoutes.Gateway.Serving;

/// <summary>
/// Keepalive and write deadline of one cluster's route connections: the spec's
/// <c>ping_interval</c>, <c>ping_max</c> and <c>write_deadline</c> where it sets them, else the
/// gateway's flags. <c>ping_interval</c> is capped at 30 s, as nats-server caps it for routes.
/// </summary>
internal sealed record RouteTimers(TimeSpan PingInterval, int PingMax, TimeSpan WriteDeadline)
{
    public static RouteTimers Of(ClusterSpec spec, GatewayOptions options)
    {
        var ping = spec.PingInterval ?? options.PingInterval;
        if (ping > ClusterSpec.MaxRoutePingInterval)
            ping = ClusterSpec.MaxRoutePingInterval;
        return new RouteTimers(ping, spec.PingMax ?? options.MaxPingsOut, spec.WriteDeadline ?? options.WriteDeadline);
    }
}

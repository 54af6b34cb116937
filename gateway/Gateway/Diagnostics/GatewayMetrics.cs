using System.Diagnostics.Metrics;

namespace Nats.OrleansRoutes.Gateway.Diagnostics;

/// <summary>Counters of the gateway (meter "Nats.OrleansRoutes.Gateway").</summary>
public sealed class GatewayMetrics : IDisposable
{
    public const string MeterName = "Nats.OrleansRoutes.Gateway";

    private readonly Meter _meter;

    public GatewayMetrics(IMeterFactory factory)
    {
        _meter = factory.Create(MeterName);
        ConnectionsOpened = _meter.CreateCounter<long>("natsroutes.gateway.connections.opened", description: "Route connections accepted or dialled");
        ConnectionsClosed = _meter.CreateCounter<long>("natsroutes.gateway.connections.closed", description: "Route connections closed, by reason");
        HandshakeFailures = _meter.CreateCounter<long>("natsroutes.gateway.handshake.failures", description: "Route handshakes refused, by reason");
        HandshakeWaits = _meter.CreateCounter<long>("natsroutes.gateway.handshake.waits",
            description: "Connections accepted while every handshake slot was taken (each waited for one; its listener accepted nothing meanwhile)");
        MessagesIn = _meter.CreateCounter<long>("natsroutes.gateway.messages.in", description: "RMSG/HMSG received from members");
        MessagesOut = _meter.CreateCounter<long>("natsroutes.gateway.messages.out", description: "RMSG/HMSG sent to members");
        BytesIn = _meter.CreateCounter<long>("natsroutes.gateway.bytes.in", unit: "By", description: "Payload bytes received");
        BytesOut = _meter.CreateCounter<long>("natsroutes.gateway.bytes.out", unit: "By", description: "Payload bytes sent");
        Stalls = _meter.CreateCounter<long>("natsroutes.gateway.stalls", description: "Times a member's reads paused for a backed-up member it feeds");
        SlowConsumers = _meter.CreateCounter<long>("natsroutes.gateway.slow_consumers", description: "Connections closed because a member stopped reading");
        LeaseRenewals = _meter.CreateCounter<long>("natsroutes.gateway.lease.renewals", description: "Lease renewals, by outcome");
        GrainCallLatency = _meter.CreateHistogram<double>("natsroutes.gateway.grain_call.duration", unit: "ms", description: "Latency of the gateway's grain calls");
        Mismatches = _meter.CreateCounter<long>("natsroutes.gateway.member.mismatches", description: "Members whose pool size or pinned accounts differ from the cluster spec");
        CompressionBytes = _meter.CreateCounter<long>("natsroutes.gateway.compression.bytes", unit: "By",
            description: "Bytes of compressed routes, by direction (in, out) and form (wire: S2 as sent or received; plain: before S2 or after decoding)");
        CompressionPassed = _meter.CreateCounter<long>("natsroutes.gateway.compression.passed", unit: "By",
            description: "S2 bytes a member sent that went to another compressing member unchanged, without being compressed again (part of the out wire bytes)");
        SentUncopied = _meter.CreateCounter<long>("natsroutes.gateway.relay.sent_uncopied", unit: "By",
            description: "Bytes of ops relayed unchanged that went from the reading connection's buffer to the socket without a copy");
        RouteDials = _meter.CreateCounter<long>("natsroutes.gateway.route.dials", description: "Attempts to dial a spec route, by result (connected, failed)");
    }

    public Counter<long> ConnectionsOpened { get; }
    public Counter<long> ConnectionsClosed { get; }
    public Counter<long> HandshakeFailures { get; }
    public Counter<long> HandshakeWaits { get; }
    public Counter<long> MessagesIn { get; }
    public Counter<long> MessagesOut { get; }
    public Counter<long> BytesIn { get; }
    public Counter<long> BytesOut { get; }
    public Counter<long> SlowConsumers { get; }
    public Counter<long> Stalls { get; }
    public Counter<long> LeaseRenewals { get; }
    public Histogram<double> GrainCallLatency { get; }
    public Counter<long> Mismatches { get; }
    public Counter<long> RouteDials { get; }
    public Counter<long> CompressionBytes { get; }
    public Counter<long> CompressionPassed { get; }
    public Counter<long> SentUncopied { get; }

    /// <summary>Gauges read at scrape time from the gateway's state.</summary>
    public void Observe(Func<int> clustersServed, Func<int> connectionsOpen, Func<int> members, Func<int> handshakes)
    {
        _meter.CreateObservableGauge("natsroutes.gateway.clusters.served", clustersServed, description: "Clusters this gateway serves now");
        _meter.CreateObservableGauge("natsroutes.gateway.connections.open", connectionsOpen, description: "Route connections open now (registered or in handshake)");
        _meter.CreateObservableGauge("natsroutes.gateway.members", members, description: "Member servers connected now, over all clusters");
        _meter.CreateObservableGauge("natsroutes.gateway.handshakes.in_progress", handshakes, description: "Connections that have not completed their handshake (bounded by --max-handshakes)");
    }

    public void Dispose() => _meter.Dispose();
}

using System.Diagnostics.Metrics;

namespace Nats.OrleansRoutes.Runtime.Diagnostics;

/// <summary>Counters of the grain runtime (meter "Nats.OrleansRoutes.Runtime").</summary>
public sealed class RuntimeMetrics : IDisposable
{
    public const string MeterName = "Nats.OrleansRoutes.Runtime";

    private readonly Meter _meter;

    public RuntimeMetrics(IMeterFactory factory)
    {
        _meter = factory.Create(MeterName);
        CallsSent = _meter.CreateCounter<long>("natsroutes.grain.calls.sent", description: "Grain calls made by this process");
        CallsFailed = _meter.CreateCounter<long>("natsroutes.grain.calls.failed", description: "Grain calls that ended in an error, by reason");
        CallsReceived = _meter.CreateCounter<long>("natsroutes.grain.calls.received", description: "Grain calls run by this silo");
        CallsMoved = _meter.CreateCounter<long>("natsroutes.grain.calls.moved", description: "Calls answered 'moved' (membership changed)");
        CallDuration = _meter.CreateHistogram<double>("natsroutes.grain.call.duration", unit: "ms", description: "Grain call latency seen by the caller");
    }

    public Counter<long> CallsSent { get; }
    public Counter<long> CallsFailed { get; }
    public Counter<long> CallsReceived { get; }
    public Counter<long> CallsMoved { get; }
    public Histogram<double> CallDuration { get; }

    /// <summary>Reports the number of activations of a silo.</summary>
    public void ObserveActivations(Func<int> count) =>
        _meter.CreateObservableGauge("natsroutes.grain.activations", count, description: "Activations on this silo");

    public void Dispose() => _meter.Dispose();
}

using System.Diagnostics;

namespace Nats.OrleansRoutes.Gateway.Diagnostics;

/// <summary>
/// Times every grain call the gateway makes, tagged with the interface and method: the control-plane
/// traffic one gateway causes (<c>natsroutes_gateway_grain_call_duration_count{call=…}</c> counts them).
/// </summary>
internal sealed class GrainCallMeter(GatewayMetrics metrics) : IOutgoingGrainCallFilter
{
    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await context.Invoke();
        }
        finally
        {
            metrics.GrainCallLatency.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds,
                new KeyValuePair<string, object?>("call", $"{context.InterfaceName}.{context.MethodName}"));
        }
    }
}

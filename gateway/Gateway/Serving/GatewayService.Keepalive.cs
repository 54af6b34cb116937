using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Nats.OrleansRoutes.Gateway.Serving;

// The keepalive wheel: one timer for every connection of every served cluster. A timer per
// connection (12 000 at 1 000 clusters) cost more CPU at idle, in wake-ups alone, than the PINGs.
public sealed partial class GatewayService
{
    /// <summary>How often every connection's deadlines and PINGs are looked at: their precision.</summary>
    internal static readonly TimeSpan KeepaliveTick = TimeSpan.FromSeconds(1);

    /// <summary>Every this many turns the clusters re-check their members (mismatches, URL routes).</summary>
    private const int TurnsPerCheck = 5;

    /// <summary>Stopped last, after the hand-overs of a drain: connections being handed over keep their keepalive.</summary>
    private readonly CancellationTokenSource _keepaliveStop = new();

    private async Task KeepaliveLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(KeepaliveTick);
        var turn = 0L;
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var now = Stopwatch.GetTimestamp();
                var check = ++turn % TurnsPerCheck == 0;
                foreach (var served in _served.Values)
                {
                    try
                    {
                        served.Server.Tick(now, check);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        // One cluster's fault must not stop the keepalive of every other.
                        LogTickFailed(_logger, served.Server.Key, e);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(EventId = 2420, Level = LogLevel.Error, Message = "{Cluster}: keepalive turn failed")]
    private static partial void LogTickFailed(ILogger logger, string cluster, Exception exception);
}

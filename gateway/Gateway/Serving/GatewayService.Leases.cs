using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Nats.OrleansRoutes.Grains;

namespace Nats.OrleansRoutes.Gateway.Serving;

// Leases: renew every RenewInterval; stop serving when a renewal says the lease is gone, and —
// fencing — when renewals have failed for so long that the lease could expire soon.
public sealed partial class GatewayService
{
    private const int RenewalsInFlight = 32;

    private async Task RenewLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.RenewInterval);
        try
        {
            // Many at a time: one after another, a thousand renewals on a busy machine can take longer
            // than the fencing margin, and every cluster would be fenced though the silos answer.
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = RenewalsInFlight, CancellationToken = cancellationToken };
            while (await timer.WaitForNextTickAsync(cancellationToken))
                await Parallel.ForEachAsync(_served, parallel, async (entry, _) => await RenewAsync(entry.Key, entry.Value));
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RenewAsync(string cluster, Served served)
    {
        LeaseResult result;
        var sentAt = Stopwatch.GetTimestamp();
        try
        {
            result = await _grains.GetGrain<IClusterGrain>(cluster).RenewLease(_options.Id, served.Epoch)
                .WaitAsync(_options.RenewInterval);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _metrics.LeaseRenewals.Add(1, new KeyValuePair<string, object?>("outcome", "failed"));
            LogRenewFailed(_logger, cluster, e.Message);
            return; // the fence decides if this goes on too long
        }
        if (result.Held)
        {
            served.Server.Renewed(sentAt);
            _metrics.LeaseRenewals.Add(1, new KeyValuePair<string, object?>("outcome", "renewed"));
            return;
        }
        _metrics.LeaseRenewals.Add(1, new KeyValuePair<string, object?>("outcome", "lost"));
        if (_served.TryGetValue(cluster, out var current) && current == served)
            await StopServingAsync(cluster, $"lease lost: {result.Reason}");
    }

    /// <summary>Stops serving any cluster whose lease might expire before the next successful renewal.</summary>
    private async Task FenceLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                foreach (var (cluster, served) in _served)
                {
                    if (served.Server.IsFenced)
                        await StopServingAsync(cluster, "the lease could not be renewed in time; stopped before it can expire");
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(EventId = 2410, Level = LogLevel.Warning, Message = "Renewing the lease of {Cluster} failed: {Reason}")]
    private static partial void LogRenewFailed(ILogger logger, string cluster, string reason);
}

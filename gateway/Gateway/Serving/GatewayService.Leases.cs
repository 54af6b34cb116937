using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Nats.OrleansRoutes.Grains;

namespace Nats.OrleansRoutes.Gateway.Serving;

// Leases: renew every RenewInterval; stop serving when a renewal says the lease is gone, and —
// fencing — when renewals have failed for so long that the lease could expire soon.
public sealed partial class GatewayService
{
    /// <summary>Leases per renewal call: the silo asks the cluster grains; the gateway sends one message.</summary>
    private const int RenewalBatch = 250;

    /// <summary>
    /// Batches at a time: one after another, a thousand renewals on a busy machine can take longer
    /// than the fencing margin, and every cluster would be fenced though the silos answer.
    /// </summary>
    private const int BatchesInFlight = 4;

    private ILeaseRenewerGrain Renewer => _grains.GetGrain<ILeaseRenewerGrain>(0);

    private async Task RenewLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.RenewInterval);
        try
        {
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = BatchesInFlight, CancellationToken = cancellationToken };
            while (await timer.WaitForNextTickAsync(cancellationToken))
                await Parallel.ForEachAsync(_served.ToArray().Chunk(RenewalBatch), parallel, async (batch, _) => await RenewAsync(batch));
        }
        catch (OperationCanceledException)
        {
        }
    }

    private Task RenewAsync(string cluster, Served served) => RenewAsync([new KeyValuePair<string, Served>(cluster, served)]);

    private async Task RenewAsync(KeyValuePair<string, Served>[] batch)
    {
        IReadOnlyList<LeaseRenewal> renewals;
        var sentAt = Stopwatch.GetTimestamp();
        try
        {
            renewals = await Renewer.Renew(_options.Id, [.. batch.Select(entry => new LeaseClaim(entry.Key, entry.Value.Epoch))])
                .WaitAsync(_options.RenewInterval);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _metrics.LeaseRenewals.Add(batch.Length, new KeyValuePair<string, object?>("outcome", "failed"));
            LogRenewFailed(_logger, batch.Length == 1 ? batch[0].Key : $"{batch.Length} clusters", e.Message);
            return; // the fence decides if this goes on too long
        }
        foreach (var ((cluster, served), renewal) in batch.Zip(renewals))
            await ApplyAsync(cluster, served, renewal, sentAt);
    }

    private async Task ApplyAsync(string cluster, Served served, LeaseRenewal renewal, long sentAt)
    {
        if (renewal.Result is not { } result)
        {
            _metrics.LeaseRenewals.Add(1, new KeyValuePair<string, object?>("outcome", "failed"));
            LogRenewFailed(_logger, cluster, renewal.Error ?? "no answer");
            return;
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

    [LoggerMessage(EventId = 2410, Level = LogLevel.Warning, Message = "Renewing the lease of {Clusters} failed: {Reason}")]
    private static partial void LogRenewFailed(ILogger logger, string clusters, string reason);
}

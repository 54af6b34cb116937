using Microsoft.Extensions.Logging;
using Nats.OrleansRoutes.Grains;

namespace Nats.OrleansRoutes.Gateway.Serving;

// Graceful hand-over, make-before-break. The leaving gateway asks the cluster grain to place the
// cluster elsewhere, naming its members, and keeps relaying. The new holder listens at once (the
// members' route lists name every gateway at the cluster's port, and they redial every second),
// registers the members and exchanges interest but relays nothing; when every member is there
// and two PING round trips on every connection prove that all interest has reached all members,
// it starts relaying and says so; the leaving gateway then stops. Every message meanwhile reaches
// a relaying hub: the leaving one until the switch, both for the few milliseconds of the event's
// delivery (the only window where a message can be relayed twice), the new one after.
public sealed partial class GatewayService
{
    /// <summary>Whether this gateway is handing <paramref name="cluster"/> over to another (graceful stop).</summary>
    public bool IsHandingOver(string cluster) => _handoverReady.ContainsKey(cluster);

    /// <summary>The leaving side: hand over, keep relaying until the new holder is ready, then stop.</summary>
    private async Task HandOverAsync(string cluster, Served served, CancellationToken cancellationToken)
    {
        var members = served.Server.Hub.MemberIds();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _handoverReady[cluster] = ready;
        served.Server.HoldFor(_options.HandoverTimeout + TimeSpan.FromSeconds(1));
        var reason = "the gateway is stopping";
        try
        {
            var next = await _grains.GetGrain<IClusterGrain>(cluster).Handover(_options.Id, served.Epoch, members)
                .WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            if (next is null || next.GatewayId == _options.Id)
            {
                reason = "the gateway is stopping and no other gateway can take the cluster";
            }
            else if (members.Count == 0)
            {
                reason = $"the gateway is stopping; handed over to {next.GatewayId} (no members connected)";
            }
            else
            {
                var done = await Task.WhenAny(ready.Task, Task.Delay(_options.HandoverTimeout, cancellationToken));
                reason = done == ready.Task
                    ? $"the gateway is stopping; handed over to {next.GatewayId}, which has every member"
                    : $"the gateway is stopping; {next.GatewayId} was not ready after {_options.HandoverTimeout.TotalSeconds:0} s";
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogDrainFailed(_logger, cluster, e.Message);
        }
        finally
        {
            _handoverReady.TryRemove(cluster, out _);
            await StopServingAsync(cluster, reason);
        }
    }

    /// <summary>The arriving side: wait for the members, synchronise interest, start relaying, tell the grain.</summary>
    private async Task TakeOverAsync(string cluster, Served served, HandoverInfo handover)
    {
        var server = served.Server;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            timeout.CancelAfter(_options.HandoverTimeout);
            try
            {
                while (!server.Hub.HasSettled(handover.Members, patience: TimeSpan.FromSeconds(3)))
                    await Task.Delay(20, timeout.Token);
                // Round 1: every member's own interest has arrived here. Round 2: everything this
                // gateway announced in consequence has been processed by every member.
                for (var round = 0; round < 2; round++)
                    await server.RoundTripAllAsync().WaitAsync(timeout.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException && !_stop.IsCancellationRequested)
            {
                LogTakeOverIncomplete(_logger, cluster, handover.FromGateway, e.Message);
            }
            server.Hub.Relaying = true;
            await _grains.GetGrain<IClusterGrain>(cluster).HandoverReady(_options.Id, served.Epoch);
            LogTookOver(_logger, cluster, handover.FromGateway, handover.Members.Count);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Relaying is on; the leaving gateway stops by its own timeout.
            server.Hub.Relaying = true;
            LogTakeOverIncomplete(_logger, cluster, handover.FromGateway, e.Message);
        }
        finally
        {
            _handovers.TryRemove(cluster, out _);
        }
    }

    [LoggerMessage(EventId = 2420, Level = LogLevel.Information, Message = "Took over {Cluster} from {From}: {Members} members, relaying")]
    private static partial void LogTookOver(ILogger logger, string cluster, string from, int members);

    [LoggerMessage(EventId = 2421, Level = LogLevel.Warning, Message = "Taking over {Cluster} from {From} did not complete ({Reason}); relaying anyway")]
    private static partial void LogTakeOverIncomplete(ILogger logger, string cluster, string from, string reason);
}

using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nats.OrleansRoutes.Runtime.Diagnostics;
using Nats.OrleansRoutes.Runtime.Hosting;
using Nats.OrleansRoutes.Runtime.Invocation;
using Nats.OrleansRoutes.Runtime.Membership;
using Nats.OrleansRoutes.Runtime.Placement;
using Nats.OrleansRoutes.Runtime.Silo;
using Nats.OrleansRoutes.Runtime.Transport;

namespace Nats.OrleansRoutes.Runtime.Client;

/// <summary>
/// Delivers grain calls for this process (CLI, gateway, or a silo calling other grains): it
/// picks the owner silo from the membership view by rendezvous hashing, calls it (directly when
/// the owner is this very process), and on "moved" refreshes membership and tries again, up to
/// <see cref="RuntimeOptions.MaxCallAttempts"/>. An unreachable silo is retried until the call's
/// deadline, since membership will soon declare it dead and move its grains.
/// </summary>
public sealed partial class GrainClient : IGrainCallInvoker, IAsyncDisposable
{
    private readonly MembershipService _membership;
    private readonly ConnectionPool _connections;
    private readonly RuntimeOptions _options;
    private readonly RuntimeMetrics _metrics;
    private readonly ILogger _logger;

    public GrainClient(MembershipService membership, IOptions<RuntimeOptions> options, RuntimeMetrics metrics, ILogger<GrainClient> logger)
    {
        _membership = membership;
        _options = options.Value;
        _metrics = metrics;
        _logger = logger;
        _connections = new ConnectionPool(_options.MaxFrameBytes, logger);
    }

    internal ILocalGrainHost? LocalHost { get; set; }

    public async Task<byte[]> InvokeAsync(GrainCall call, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        _metrics.CallsSent.Add(1);
        try
        {
            var result = await RouteAsync(call, started, cancellationToken);
            _metrics.CallDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return result;
        }
        catch (Exception e)
        {
            _metrics.CallsFailed.Add(1, new KeyValuePair<string, object?>("reason", e.GetType().Name));
            throw;
        }
    }

    private async Task<byte[]> RouteAsync(GrainCall call, long started, CancellationToken cancellationToken)
    {
        var moves = 0;
        var unreachable = 0;
        while (true)
        {
            var remaining = call.Timeout - Stopwatch.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
                throw new GrainCallTimeoutException(call, "no silo answered in time");

            var view = _membership.Current;
            if (view.Active.Count == 0)
                view = await RefreshAsync(call, cancellationToken);
            var owner = RendezvousPlacement.Owner(call.Target, view.Active)
                ?? throw new GrainUnavailableException(call, $"no active silo in membership (table version {view.Version}); is a silo running, and can this process reach Redis?");

            ResponseFrame response;
            if (LocalHost is { } local && local.SiloId == owner.SiloId)
            {
                response = await local.HandleAsync(call with { Timeout = remaining }, view.Version, cancellationToken);
            }
            else
            {
                GrainConnection connection;
                try
                {
                    connection = await _connections.GetAsync(owner.Host, owner.Port, cancellationToken);
                }
                catch (SocketException e)
                {
                    // Not sent, so safe to retry: wait for membership to notice the silo is gone.
                    unreachable++;
                    LogUnreachable(_logger, owner.SiloId, owner.Endpoint, e.SocketErrorCode);
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(1000, 100 * unreachable)), cancellationToken);
                    await RefreshQuietlyAsync(cancellationToken);
                    continue;
                }
                try
                {
                    response = await connection.CallAsync(call.Target.Type, call.Target.Key, call.Method, call.Arguments, view.Version, remaining)
                        .WaitAsync(cancellationToken);
                }
                catch (ConnectionLostException lost) when (!lost.MayHaveRun)
                {
                    continue;
                }
                catch (ConnectionLostException lost)
                {
                    throw new GrainUnavailableException(call, lost.Message);
                }
            }

            switch (response.Status)
            {
                case CallStatus.Ok:
                    return response.Payload;
                case CallStatus.Moved:
                    if (++moves >= _options.MaxCallAttempts)
                        throw new GrainUnavailableException(call, $"the owner kept moving ({moves} times); membership is changing, try again");
                    if (response.MembershipVersion <= view.Version)
                        await Task.Delay(TimeSpan.FromMilliseconds(50 * moves), cancellationToken);
                    await RefreshQuietlyAsync(cancellationToken);
                    continue;
                case CallStatus.Error:
                    throw new GrainCallException(call, Encoding.UTF8.GetString(response.Payload));
                case CallStatus.Unavailable:
                    throw new GrainUnavailableException(call, Encoding.UTF8.GetString(response.Payload));
                default:
                    throw new GrainCallTimeoutException(call, $"silo {owner.Endpoint}");
            }
        }
    }

    private async Task<MembershipView> RefreshAsync(GrainCall call, CancellationToken cancellationToken)
    {
        try
        {
            return await _membership.RefreshAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new GrainUnavailableException(call, $"membership cannot be read: {e.Message}");
        }
    }

    private async Task RefreshQuietlyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _membership.RefreshAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogRefreshFailed(_logger, e.Message);
        }
    }

    public ValueTask DisposeAsync() => _connections.DisposeAsync();

    [LoggerMessage(EventId = 400, Level = LogLevel.Debug, Message = "Silo {SiloId} at {Endpoint} is unreachable ({Error}); retrying after a membership refresh")]
    private static partial void LogUnreachable(ILogger logger, string siloId, string endpoint, SocketError error);

    [LoggerMessage(EventId = 401, Level = LogLevel.Debug, Message = "Membership refresh failed: {Reason}")]
    private static partial void LogRefreshFailed(ILogger logger, string reason);
}

using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nats.OrleansRoutes.Gateway.Diagnostics;
using Nats.OrleansRoutes.Grains;

namespace Nats.OrleansRoutes.Gateway.Serving;

/// <summary>
/// Runs a gateway: registers it in the directory, serves the clusters placed on it (on change
/// hints from the directory and every reconcile interval), renews their leases, and — the fencing rule — stops
/// serving a cluster before its lease can expire when renewals fail, so two gateways never act as
/// the hub of one cluster. Stopping drains: each lease is released, so the cluster moves at once.
/// </summary>
public sealed partial class GatewayService : IHostedService, IDisposable
{
    private readonly IGrainFactory _grains;
    private readonly ChangeListener _listener;
    private IClusterChangeObserver? _listenerReference;
    private readonly GatewayOptions _options;
    private readonly GatewayMetrics _metrics;
    private readonly ILoggerFactory _loggers;
    private readonly AuthFailureLimiter _limiter;
    private readonly HandshakeSlots _handshakes;
    private readonly Grains.Security.SecretBox _secrets;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, Served> _served = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task> _handovers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _handoverReady = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _reconciling = new(1, 1);
    private readonly SemaphoreSlim _wake = new(0);
    private int _wakeRequested;
    private readonly CancellationTokenSource _stop = new();
    private Task _loops = Task.CompletedTask;
    private Task _keepalive = Task.CompletedTask;
    private bool _registered;

    /// <summary>The clusters the directory placed here, as of its last heartbeat answer, and that answer's version.</summary>
    private IReadOnlyList<DirectoryEntry> _placements = [];
    private PlacementsVersion? _placementsVersion;

    /// <summary>Clusters a reconcile starts serving (or places) at a time.</summary>
    private const int ClusterCallsInFlight = 8;

    public GatewayService(IGrainFactory grains, IOptions<GatewayOptions> options, GatewayMetrics metrics,
        Monitoring.PrometheusExporter exporter, AuthFailureLimiter limiter, HandshakeSlots handshakes, Grains.Security.SecretBox secrets,
        ILoggerFactory loggers)
    {
        _secrets = secrets;
        _limiter = limiter;
        _handshakes = handshakes;
        _ = exporter; // created with the service, so it sees every measurement from the start
        _grains = grains;
        // Orleans holds observers weakly: the service keeps the listener alive.
        _listener = new ChangeListener(this);
        _options = options.Value;
        _metrics = metrics;
        _loggers = loggers;
        _logger = loggers.CreateLogger<GatewayService>();
        Identity = GatewayIdentity.For(_options.Id);
        metrics.Observe(() => _served.Count, () => _served.Values.Sum(s => s.Server.Connections.Count),
            () => _served.Values.Sum(s => s.Server.Hub.MemberCount), () => handshakes.Used);
    }

    public GatewayIdentity Identity { get; }

    /// <summary>Registered in the directory at least once.</summary>
    public bool Ready => _registered;

    internal IReadOnlyDictionary<string, Served> Served => _served;

    private IGatewayDirectoryGrain Directory => _grains.GetGrain<IGatewayDirectoryGrain>(IGatewayDirectoryGrain.Key);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loops = Task.WhenAll(ReconcileLoopAsync(_stop.Token), RenewLoopAsync(_stop.Token), FenceLoopAsync(_stop.Token));
        _keepalive = KeepaliveLoopAsync(_keepaliveStop.Token);
        LogStarting(_logger, _options.Id, Identity.ServerId, _options.Host, _options.PortFrom, _options.PortTo,
            InlineSocketCompletions.Enabled ? "inline" : "on the thread pool");
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _reconciling.Dispose();
        _wake.Dispose();
        _stop.Dispose();
        _keepaliveStop.Dispose();
    }

    /// <summary>
    /// Graceful drain: leaves the directory, then hands every cluster to another gateway and keeps
    /// relaying it until that gateway has the members and says it is ready (or the hand-over times
    /// out), so a steady stream loses nothing; then closes the endpoints.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync();
        await _loops.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        try
        {
            await Directory.Deregister(_options.Id).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogDrainFailed(_logger, "(directory)", e.Message);
        }
        await Task.WhenAll(_served.ToArray().Select(s => HandOverAsync(s.Key, s.Value, cancellationToken)));
        await Task.WhenAll(_handovers.Values).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (_listenerReference is not null)
            _grains.DeleteObjectReference<IClusterChangeObserver>(_listenerReference);
        await _keepaliveStop.CancelAsync();
        await _keepalive;
    }

    /// <summary>A hint from the directory; the reconcile reads the versioned truth.</summary>
    private void OnClusterChanged(ClusterChange change)
    {
        if (change.Kind == ClusterChangeKind.HandoverReady && _handoverReady.TryGetValue(change.Cluster, out var ready))
            ready.TrySetResult();
        if (_stop.IsCancellationRequested)
            return;
        if (_served.ContainsKey(change.Cluster) || change.Kind == ClusterChangeKind.Placed)
            Wake();
    }

    /// <summary>
    /// Asks for a reconcile. Hints that arrive before it starts share it, and those that arrive
    /// while it runs cost one more: a bulk placement of 10 000 clusters sent as many hints, and one
    /// reconcile per hint (each reading every placement of the gateway) kept a core busy for minutes.
    /// </summary>
    private void Wake()
    {
        if (Interlocked.Exchange(ref _wakeRequested, 1) == 0)
            _wake.Release();
    }

    /// <summary>The object the directory calls; a separate class so the service's own methods stay off the observer contract.</summary>
    private sealed class ChangeListener(GatewayService service) : IClusterChangeObserver
    {
        public Task OnClusterChanged(ClusterChange change)
        {
            service.OnClusterChanged(change);
            return Task.CompletedTask;
        }
    }

    private async Task ReconcileLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await ReconcileOnceAsync(cancellationToken);
            try
            {
                await _wake.WaitAsync(_options.ReconcileInterval, cancellationToken);
                Volatile.Write(ref _wakeRequested, 0); // hints from now on ask for the next one
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One pass: register, heartbeat, serve what is placed here, refresh specs, re-place orphans.</summary>
    internal async Task ReconcileOnceAsync(CancellationToken cancellationToken)
    {
        await _reconciling.WaitAsync(cancellationToken);
        try
        {
            var monitor = MonitorUrl;
            if (!_registered || _registeredMonitorUrl != monitor)
            {
                await Directory.Register(new GatewayRegistration(_options.Id, _options.AdvertisedHost, _options.PortFrom, _options.PortTo,
                    monitor, _options.Capacity, _options.Group));
                _registered = true;
                _registeredMonitorUrl = monitor;
                LogRegistered(_logger, _options.Id);
            }
            // Renewed every pass: the directory keeps subscriptions in memory only. The reference is
            // made here, not at construction, because the Orleans runtime has started by now.
            _listenerReference ??= _grains.CreateObjectReference<IClusterChangeObserver>(_listener);
            await Directory.Subscribe(_options.Id, _listenerReference);
            var reply = await Directory.Heartbeat(_options.Id, _placementsVersion);
            _placements = reply.Placements ?? _placements; // null: unchanged since the last answer
            _placementsVersion = reply.Version;
            var assigned = _placements;
            // Each cluster on its own, a few at a time: after a kill -9, a thousand orphans placed and
            // then served one after another took 11 s after the first lease had run out.
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = ClusterCallsInFlight, CancellationToken = cancellationToken };
            await Parallel.ForEachAsync(assigned, parallel, async (entry, _) =>
            {
                if (ServedAt(entry.Cluster, entry.Epoch) is not { } served)
                    await StartServingAsync(entry.Cluster);
                else if (entry.SpecVersion is not { } version || version > served.Server.Version)
                    await RefreshSpecAsync(entry.Cluster, served); // the heartbeat says the spec changed (or cannot say)
            });
            foreach (var cluster in _served.Keys.Except(assigned.Select(a => a.Cluster)).ToList())
                await CheckLeaseAsync(cluster);
            await Parallel.ForEachAsync(await Directory.Orphans(), parallel, async (orphan, _) =>
            {
                // Placed here: served now, not after every other orphan has been placed.
                if (await _grains.GetGrain<IClusterGrain>(orphan).EnsurePlacement() is { } placed && placed.GatewayId == _options.Id
                    && ServedAt(orphan, placed.Epoch) is null)
                    await StartServingAsync(orphan);
            });
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogReconcileFailed(_logger, e.Message);
        }
        finally
        {
            _reconciling.Release();
        }
    }

    /// <summary>The cluster as this gateway serves it, if it serves it at lease epoch <paramref name="epoch"/>.</summary>
    private Served? ServedAt(string cluster, long epoch) =>
        _served.TryGetValue(cluster, out var served) && served.Epoch == epoch ? served : null;

    /// <summary>The monitoring URL announced in the directory (set by the host once it knows its port).</summary>
    public string? MonitorUrl
    {
        get => _monitorUrl;
        set
        {
            _monitorUrl = value;
            Wake(); // the next reconcile announces it
        }
    }

    private volatile string? _monitorUrl;
    private string? _registeredMonitorUrl;

    private async Task StartServingAsync(string cluster)
    {
        var grain = _grains.GetGrain<IClusterGrain>(cluster);
        ServingSpec serving;
        try
        {
            serving = await grain.GetServingSpec(_options.Id);
        }
        catch (Exception e)
        {
            LogNotHolder(_logger, cluster, e.Message);
            await StopServingAsync(cluster, "the lease is held elsewhere");
            return;
        }
        if (serving.Placement is not { } placement || placement.GatewayId != _options.Id)
            return;
        if (_served.TryGetValue(cluster, out var old))
        {
            if (old.Epoch == placement.Epoch)
                return;
            await StopServingAsync(cluster, $"re-placed here with a new lease epoch {placement.Epoch}");
        }
        var authorizer = new RouteAuthorizer(grain, _limiter, _loggers.CreateLogger<RouteAuthorizer>());
        var server = new ClusterServer(serving, Identity, _options, _metrics, authorizer, _secrets, _loggers) { Cluster = cluster, Limiter = _limiter, Handshakes = _handshakes };
        try
        {
            server.Start();
        }
        catch (System.Net.Sockets.SocketException e)
        {
            LogBindFailed(_logger, cluster, placement.Endpoint, e.Message);
            await server.DisposeAsync();
            // Let another gateway take it rather than leave the cluster unserved.
            await grain.ReleaseLease(_options.Id, placement.Epoch);
            return;
        }
        var served = new Served(server, placement.Epoch);
        _served[cluster] = served;
        if (serving.Handover is { } handover && handover.FromGateway != _options.Id)
        {
            // Taking over from a gateway that is leaving: it relays until this one is ready.
            server.Hub.Relaying = false;
            _handovers[cluster] = TakeOverAsync(cluster, served, handover);
        }
        // The lease ran from the moment of placement, not from now: renew at once unless the renewal
        // round surely comes first. A thousand clusters taking over after a kill -9 are placed a
        // moment before they are served, and one renewal call each would only slow the others down.
        if (server.UntilFenced < _options.RenewInterval * 2)
            await RenewAsync(cluster, served);
    }

    private async Task RefreshSpecAsync(string cluster, Served served)
    {
        var serving = await _grains.GetGrain<IClusterGrain>(cluster).GetServingSpec(_options.Id);
        served.Server.Update(serving);
    }

    private async Task CheckLeaseAsync(string cluster)
    {
        if (_served.TryGetValue(cluster, out var served))
            await RenewAsync(cluster, served);
    }

    private async Task StopServingAsync(string cluster, string reason)
    {
        if (!_served.TryRemove(cluster, out var served))
            return;
        LogStopServing(_logger, cluster, reason);
        await served.Server.DisposeAsync();
    }

    [LoggerMessage(EventId = 2400, Level = LogLevel.Information, Message = "Gateway {Gateway} (server id {ServerId}) starting on {Host}, route ports {From}-{To}, socket completions {Completions}")]
    private static partial void LogStarting(ILogger logger, string gateway, string serverId, string host, int from, int to, string completions);

    [LoggerMessage(EventId = 2401, Level = LogLevel.Information, Message = "Gateway {Gateway} registered in the directory")]
    private static partial void LogRegistered(ILogger logger, string gateway);

    [LoggerMessage(EventId = 2402, Level = LogLevel.Warning, Message = "Reconcile failed (will retry): {Reason}")]
    private static partial void LogReconcileFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 2403, Level = LogLevel.Information, Message = "Not serving {Cluster}: {Reason}")]
    private static partial void LogNotHolder(ILogger logger, string cluster, string reason);

    [LoggerMessage(EventId = 2404, Level = LogLevel.Error, Message = "Cannot open the route endpoint of {Cluster} at {Endpoint}: {Reason}; releasing the lease")]
    private static partial void LogBindFailed(ILogger logger, string cluster, string endpoint, string reason);

    [LoggerMessage(EventId = 2405, Level = LogLevel.Information, Message = "Stopped serving {Cluster}: {Reason}")]
    private static partial void LogStopServing(ILogger logger, string cluster, string reason);

    [LoggerMessage(EventId = 2406, Level = LogLevel.Warning, Message = "Drain of {Cluster} incomplete: {Reason}")]
    private static partial void LogDrainFailed(ILogger logger, string cluster, string reason);
}

/// <summary>A cluster this gateway serves: its server and lease epoch (the server knows when its lease may end).</summary>
internal sealed class Served(ClusterServer server, long epoch)
{
    public ClusterServer Server { get; } = server;

    public long Epoch { get; } = epoch;
}

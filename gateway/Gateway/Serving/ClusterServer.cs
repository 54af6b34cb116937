using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Nats.OrleansRoutes.Config.Cluster;
using Nats.OrleansRoutes.Gateway.Diagnostics;
using Nats.OrleansRoutes.Gateway.Hub;
using Nats.OrleansRoutes.Gateway.Routes;
using Nats.OrleansRoutes.Grains;
using Nats.OrleansRoutes.Grains.Security;
using Nats.OrleansRoutes.Protocol;

namespace Nats.OrleansRoutes.Gateway.Serving;

/// <summary>
/// One cluster served by this gateway: its route endpoint (a listener on the placement's port),
/// its connections, its hub, and the spec version they run on. Everything of one cluster is
/// reached only through its own listener and hub, so clusters never see each other's traffic.
/// </summary>
internal sealed partial class ClusterServer : IAsyncDisposable
{
    private readonly ConcurrentDictionary<RouteConnection, byte> _connections = new();
    private readonly ILogger _logger;
    private readonly ILogger _connectionLogger;
    private readonly CancellationTokenSource _stop = new();
    private Socket? _listener;
    private Task _accepting = Task.CompletedTask;
    private volatile ClusterSpec _spec;

    public ClusterServer(ServingSpec serving, GatewayIdentity identity, GatewayOptions options, GatewayMetrics metrics,
        RouteAuthorizer authorizer, SecretBox secrets, ILoggerFactory loggers)
    {
        _secrets = secrets;
        _solicitorLogger = loggers.CreateLogger<RouteSolicitor>();
        _serving = serving;
        Placement = serving.Placement!;
        Key = $"{serving.Spec.Name}@{Placement.Endpoint}";
        Identity = identity;
        Options = options;
        Metrics = metrics;
        Authorizer = authorizer;
        _spec = serving.Spec;
        Timers = RouteTimers.Of(serving.Spec, options);
        Version = serving.Version;
        _logger = loggers.CreateLogger<ClusterServer>();
        _connectionLogger = loggers.CreateLogger<RouteConnection>();
        Hub = new ClusterHub(Key, identity, metrics, loggers.CreateLogger<ClusterHub>())
        {
            RouteEndpoint = Placement.Host.Contains(':', StringComparison.Ordinal) ? $"[{Placement.Host}]:{Placement.Port}" : Placement.Endpoint,
        };
        Hub.UpdateSpec(serving.Spec);
        authorizer.SpecVersion(serving.Version);
        LoadTls(serving.Spec);
        // Until the first renewal: the lease as granted, less the fencing margin.
        var left = Placement.LeaseExpiresAt - DateTimeOffset.UtcNow - options.FencingMargin;
        _fenceAt = Stopwatch.GetTimestamp() + (long)(Math.Max(0, left.TotalSeconds) * Stopwatch.Frequency);
    }

    private long _fenceAt;
    private readonly SecretBox _secrets;
    private readonly ILogger _solicitorLogger;
    private readonly List<RouteSolicitor> _solicitors = [];
    private ServingSpec _serving;
    private RouteTlsContext? _tls;
    private long _tlsLoadedAt;

    /// <summary>
    /// True once the lease may have ended (less the fencing margin) without a renewal: nothing may be
    /// relayed any more. Checked by every reader per read, by /routez and by the fence loop.
    /// </summary>
    public bool IsFenced => Stopwatch.GetTimestamp() > Volatile.Read(ref _fenceAt);

    /// <summary>How long until <see cref="IsFenced"/> unless a renewal comes first (negative once fenced).</summary>
    public TimeSpan UntilFenced => Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), Volatile.Read(ref _fenceAt));

    /// <summary>A renewal sent at <paramref name="sentAt"/> (Stopwatch time) succeeded: the lease runs from no earlier than then.</summary>
    public void Renewed(long sentAt) =>
        Volatile.Write(ref _fenceAt, sentAt + (long)((Options.LeaseDuration - Options.FencingMargin).TotalSeconds * Stopwatch.Frequency));

    /// <summary>During a graceful hand-over the leaving gateway keeps relaying (without a lease) until the new holder is ready.</summary>
    public void HoldFor(TimeSpan time) =>
        Volatile.Write(ref _fenceAt, Stopwatch.GetTimestamp() + (long)(time.TotalSeconds * Stopwatch.Frequency));

    /// <summary>One PING round trip on every registered connection (see <see cref="RouteConnection.RoundTripAsync"/>).</summary>
    public Task RoundTripAllAsync() =>
        Task.WhenAll(_connections.Keys.Where(c => c.State == RouteState.Registered).Select(c => c.RoundTripAsync()));

    /// <summary>A name for logs: cluster name and endpoint.</summary>
    public string Key { get; }

    public string Cluster { get; set; } = "";

    public PlacementView Placement { get; }

    public GatewayIdentity Identity { get; }

    public GatewayOptions Options { get; }

    public GatewayMetrics Metrics { get; }

    public RouteAuthorizer Authorizer { get; }

    /// <summary>The gateway-wide limiter of failed authentications (for log throttling here).</summary>
    public required AuthFailureLimiter Limiter { get; init; }

    /// <summary>The gateway-wide bound on connections still in their handshake.</summary>
    public required HandshakeSlots Handshakes { get; init; }

    public ClusterHub Hub { get; }

    private int _s2Links;

    /// <summary>Connections of this cluster that negotiated S2; chunks a member sends are kept to pass on only while another one exists.</summary>
    public int S2Links => Volatile.Read(ref _s2Links);

    public void S2LinkOpened() => Interlocked.Increment(ref _s2Links);

    public void S2LinkClosed() => Interlocked.Decrement(ref _s2Links);

    public ClusterSpec Spec => _spec;

    /// <summary>This cluster's keepalive and write deadline; a spec update applies to open connections at their next tick.</summary>
    public RouteTimers Timers { get; private set; }

    public long Version { get; private set; }

    public IReadOnlyCollection<RouteConnection> Connections => (IReadOnlyCollection<RouteConnection>)_connections.Keys;

    /// <summary>Opens the route endpoint; throws <see cref="SocketException"/> if the port cannot be bound.</summary>
    public void Start()
    {
        _listener = RouteListener.Open(Options.ListenAddress, Placement.Port);
        _accepting = AcceptLoopAsync(_stop.Token);
        StartSolicitors(_serving);
        LogServing(_logger, Cluster, Spec.Name, Placement.Endpoint, Placement.Epoch);
    }

    /// <summary>A newer spec: the hub and the authorizer follow it; connections stay.</summary>
    public void Update(ServingSpec serving)
    {
        if (serving.Version <= Version)
            return;
        Version = serving.Version;
        var routesChanged = RoutesChanged(serving);
        var tlsChanged = !Equals(serving.Spec.Tls, _spec.Tls);
        // As nats-server on a reload with a new pool_size: the pooled connections are closed and dialled again.
        var poolChanged = serving.Spec.PoolSize != _spec.PoolSize;
        var pinsChanged = !serving.Spec.EffectivePinnedAccounts.SequenceEqual(_spec.EffectivePinnedAccounts);
        _spec = serving.Spec;
        Timers = RouteTimers.Of(serving.Spec, Options);
        if (tlsChanged)
            LoadTls(serving.Spec);
        _serving = serving;
        Hub.UpdateSpec(serving.Spec);
        Authorizer.SpecVersion(serving.Version);
        if (routesChanged || tlsChanged || poolChanged)
        {
            _ = RestartSolicitorsAsync(serving);
        }
        else if (pinsChanged)
        {
            foreach (var solicitor in Solicitors)
                solicitor.PinnedAccountsChanged();
        }
    }

    /// <summary>The spec's routes, each kept connected by its own solicitor.</summary>
    public IReadOnlyList<RouteSolicitor> Solicitors
    {
        get
        {
            lock (_solicitors)
                return [.. _solicitors];
        }
    }

    /// <summary>The spec's routes with their passwords opened; a password this gateway cannot open is logged and its route skipped.</summary>
    private List<(RouteUrl Url, string? Password)> RoutesOf(ServingSpec serving, bool log)
    {
        var routes = new List<(RouteUrl, string?)>();
        for (var i = 0; i < serving.Spec.Routes.Count; i++)
        {
            var url = serving.Spec.Routes[i];
            string? password = null;
            if (serving.RouteSecrets.FirstOrDefault(r => r.RouteIndex == i) is { } sealedSecret)
            {
                try
                {
                    password = _secrets.Open(sealedSecret.Ciphertext);
                }
                catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or FormatException)
                {
                    // Dialling anyway would only be refused by the member: say what to fix instead.
                    if (log)
                        LogSecretUnreadable(_logger, Key, url.ToString());
                    continue;
                }
            }
            routes.Add((url, password));
        }
        return routes;
    }

    private void StartSolicitors(ServingSpec serving)
    {
        var routes = RoutesOf(serving, log: true);
        lock (_solicitors)
        {
            if (_stop.IsCancellationRequested)
                return;
            foreach (var (url, password) in routes)
            {
                var solicitor = new RouteSolicitor(this, url, password, _solicitorLogger);
                _solicitors.Add(solicitor);
                solicitor.Start();
            }
        }
    }

    /// <summary>Whether the spec's routes (URLs or passwords) differ from those being dialled.</summary>
    private bool RoutesChanged(ServingSpec serving)
    {
        var wanted = RoutesOf(serving, log: false);
        lock (_solicitors)
            return !wanted.SequenceEqual(_solicitors.Select(s => (s.Url, s.Password)));
    }

    private async Task RestartSolicitorsAsync(ServingSpec serving)
    {
        List<RouteSolicitor> old;
        lock (_solicitors)
        {
            old = [.. _solicitors];
            _solicitors.Clear();
        }
        foreach (var solicitor in old)
            await solicitor.DisposeAsync();
        StartSolicitors(serving);
    }

    /// <summary>Why the cluster's TLS cannot be used (its routes are refused until it can); null when fine or without TLS.</summary>
    public string? TlsProblem { get; private set; }

    /// <summary>Reads the spec's certificate files; a problem affects this cluster only: it is logged, shown in /routez, retried.</summary>
    private void LoadTls(ClusterSpec spec)
    {
        _tlsLoadedAt = Stopwatch.GetTimestamp();
        if (spec.Tls is not { } tls)
        {
            (_tls, TlsProblem) = (null, null);
            return;
        }
        try
        {
            _tls = RouteTlsContext.Load(tls);
            TlsProblem = null;
            if (tls.CurvePreferences.Count > 0)
                LogCurvesNotApplied(_logger, Key, string.Join(", ", tls.CurvePreferences));
        }
        catch (RouteTlsException e)
        {
            _tls = null;
            if (TlsProblem != e.Message)
                LogTlsUnusable(_logger, Key, e.Message);
            TlsProblem = e.Message;
        }
    }

    /// <summary>The TLS context for a new connection; after a failure the files are read again at most every 10 s.</summary>
    private RouteTlsContext? CurrentTls()
    {
        if (_tls is null && Spec.Tls is not null && Stopwatch.GetElapsedTime(_tlsLoadedAt) > TimeSpan.FromSeconds(10))
            LoadTls(Spec);
        return _tls;
    }

    /// <summary>Starts the route handshake on a connection we dialled (TLS first when the spec has it); or why it could not.</summary>
    public async Task<(RouteConnection? Connection, string? Error)> AttachSolicitedAsync(Socket socket, SolicitedSlot slot, CancellationToken cancellationToken)
    {
        if (_stop.IsCancellationRequested)
        {
            socket.Dispose();
            return (null, "the cluster is no longer served here");
        }
        Stream stream;
        if (slot.Tls)
        {
            if (CurrentTls() is not { } tls)
            {
                socket.Dispose();
                return (null, $"tls: {TlsProblem}");
            }
            try
            {
                stream = await tls.ConnectAsync(socket, slot.Url.Host, cancellationToken);
            }
            catch (Exception e) when (e is System.Security.Authentication.AuthenticationException or IOException
                or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                Metrics.HandshakeFailures.Add(1, new KeyValuePair<string, object?>("reason", "tls"));
                return (null, e is OperationCanceledException ? $"tls: no handshake within {tls.Timeout.TotalSeconds:0.#} s" : $"tls: {e.Message}");
            }
        }
        else
        {
            stream = new NetworkStream(socket, ownsSocket: true);
        }
        return (Run(new RouteConnection(socket, stream, this, _connectionLogger, slot)), null);
    }

    /// <summary>The TLS handshake of an accepted connection, off the accept loop; the handshake slot is held throughout.</summary>
    private async Task AcceptTlsAsync(Socket accepted, RouteTlsContext tls)
    {
        var remote = accepted.RemoteEndPoint?.ToString() ?? "?";
        var address = (accepted.RemoteEndPoint as IPEndPoint)?.Address;
        SslStream stream;
        IReadOnlyList<string> identities;
        try
        {
            (stream, identities) = await tls.AcceptAsync(accepted, _stop.Token);
        }
        catch (Exception e) when (e is System.Security.Authentication.AuthenticationException or IOException or OperationCanceledException)
        {
            Handshakes.Exit();
            if (_stop.IsCancellationRequested)
                return;
            Metrics.HandshakeFailures.Add(1, new KeyValuePair<string, object?>("reason", "tls"));
            var suppressed = 0;
            if (address is not null && !Limiter.ShouldLog(address, RefusalKind.Tls, out suppressed))
                return;
            var why = e is OperationCanceledException ? $"no TLS handshake within {tls.Timeout.TotalSeconds:0.#} s" : e.InnerException?.Message ?? e.Message;
            LogTlsRefused(_logger, Key, remote, why, RouteConnection.Suppressed(suppressed));
            return;
        }
        Run(new RouteConnection(accepted, stream, this, _connectionLogger) { TlsIdentities = identities });
    }

    /// <summary>Tracks a new connection (for /routez, fencing and shutdown) and starts its handshake.</summary>
    private RouteConnection Run(RouteConnection connection)
    {
        _connections[connection] = 0;
        connection.Start();
        return connection;
    }

    /// <summary>The INFO this gateway sends on every route connection of the cluster.</summary>
    public RouteInfo Info()
    {
        var spec = Spec;
        return new RouteInfo
        {
            ServerId = Identity.ServerId,
            ServerName = Identity.ServerName,
            Version = GatewayIdentity.AnnouncedVersion,
            Proto = 2,
            Go = "natsroutes",
            Host = Placement.Host,
            Port = Placement.Port,
            Headers = true,
            AuthRequired = true,
            MaxPayload = Options.AnnouncedMaxPayload,
            TlsRequired = spec.Tls is null ? null : true,
            TlsVerify = spec.Tls is null ? null : true,
            Cluster = spec.Name,
            Compression = "off",
            RoutePoolSize = spec.PoolingEnabled ? spec.PoolSize : null,
            // Leaf-origin interest and messages cross the hub with their origin (protocol doc §3.6).
            LeafNodeOriginCluster = true,
            LeafNodeOriginClusterUnsub = true,
        };
    }

    private async Task AcceptLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await _listener!.AcceptAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException e)
            {
                LogAcceptFailed(_logger, Key, e.Message);
                continue;
            }
            if (!Handshakes.TryEnter())
            {
                // This connection waits for a slot, and those after it in the listen backlog.
                Metrics.HandshakeWaits.Add(1);
                if ((accepted.RemoteEndPoint as IPEndPoint)?.Address is { } address && Limiter.ShouldLog(address, RefusalKind.HandshakeBound, out var suppressed))
                    LogHandshakeBound(_logger, Key, accepted.RemoteEndPoint?.ToString() ?? "?", Options.MaxHandshakes, suppressed);
                try
                {
                    await Handshakes.EnterAsync(cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    accepted.Dispose();
                    return;
                }
            }
            accepted.NoDelay = true;
            if (Spec.Tls is not null)
            {
                if (CurrentTls() is { } tls)
                {
                    _ = AcceptTlsAsync(accepted, tls);
                }
                else
                {
                    // Logged once when loading failed; the member sees its handshake fail.
                    Handshakes.Exit();
                    Metrics.HandshakeFailures.Add(1, new KeyValuePair<string, object?>("reason", "tls_unavailable"));
                    accepted.Dispose();
                }
                continue;
            }
            Run(new RouteConnection(accepted, new NetworkStream(accepted, ownsSocket: true), this, _connectionLogger));
        }
    }

    /// <summary>
    /// A turn of the gateway's keepalive wheel (about once a second): every connection's deadlines
    /// and PINGs; with <paramref name="check"/> (every few seconds) also re-judges members against
    /// the spec (some differences only show once a member has settled) and offers again the URL
    /// routes a member has not dialled.
    /// </summary>
    public void Tick(long now, bool check)
    {
        // Enumerating the dictionary itself takes no lock and copies nothing (.Keys would, every second).
        foreach (var (connection, _) in _connections)
            connection.Tick(now);
        if (!check)
            return;
        Hub.CheckMismatches();
        Hub.RefreshUrlRoutes();
    }

    public void Forget(RouteConnection connection) => _connections.TryRemove(connection, out _);

    /// <summary>Closes the endpoint and every connection: members reconnect wherever the cluster goes next.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener?.Dispose();
        List<RouteSolicitor> solicitors;
        lock (_solicitors)
        {
            solicitors = [.. _solicitors];
            _solicitors.Clear();
        }
        foreach (var solicitor in solicitors)
            await solicitor.DisposeAsync();
        await _accepting;
        foreach (var connection in _connections.Keys)
            await connection.DisposeAsync();
        _tls?.Dispose();
        LogStopped(_logger, Cluster, Placement.Endpoint);
        _stop.Dispose();
    }

    [LoggerMessage(EventId = 2300, Level = LogLevel.Information, Message = "Serving cluster {Cluster} ({Name}) at {Endpoint}, lease epoch {Epoch}")]
    private static partial void LogServing(ILogger logger, string cluster, string? name, string endpoint, long epoch);

    [LoggerMessage(EventId = 2301, Level = LogLevel.Information, Message = "Stopped serving cluster {Cluster} at {Endpoint}")]
    private static partial void LogStopped(ILogger logger, string cluster, string endpoint);

    [LoggerMessage(EventId = 2303, Level = LogLevel.Warning,
        Message = "{Cluster}: connection from {Remote} waits: {Limit} connections are already in their handshake (--max-handshakes); this port accepts again when one finishes ({Suppressed} more not logged)")]
    private static partial void LogHandshakeBound(ILogger logger, string cluster, string remote, int limit, int suppressed);

    [LoggerMessage(EventId = 2305, Level = LogLevel.Error, Message = "{Cluster}: route TLS cannot be used, every route of this cluster is refused until it can: {Problem}")]
    private static partial void LogTlsUnusable(ILogger logger, string cluster, string problem);

    [LoggerMessage(EventId = 2307, Level = LogLevel.Warning,
        Message = "{Cluster}: tls curve_preferences ({Curves}) are not applied on the gateway's side (.NET has no per-connection curve choice); the platform's curves are offered, the members apply theirs")]
    private static partial void LogCurvesNotApplied(ILogger logger, string cluster, string curves);

    [LoggerMessage(EventId = 2306, Level = LogLevel.Warning, Message = "{Cluster}: TLS handshake with {Remote} failed: {Reason}{More}")]
    private static partial void LogTlsRefused(ILogger logger, string cluster, string remote, string reason, string more);

    [LoggerMessage(EventId = 2304, Level = LogLevel.Error,
        Message = "{Cluster}: the password of route {Url} cannot be opened with this gateway's secrets key; give every silo and gateway the same key, then set the route again")]
    private static partial void LogSecretUnreadable(ILogger logger, string cluster, string url);

    [LoggerMessage(EventId = 2302, Level = LogLevel.Warning, Message = "{Cluster}: accepting a route failed: {Reason}")]
    private static partial void LogAcceptFailed(ILogger logger, string cluster, string reason);
}

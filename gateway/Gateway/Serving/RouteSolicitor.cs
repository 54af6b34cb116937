using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Nats.OrleansRoutes.Config.Cluster;
using Nats.OrleansRoutes.Gateway.Routes;

namespace Nats.OrleansRoutes.Gateway.Serving;

/// <summary>
/// Keeps one of the spec's <c>routes</c> connected, as nats-server keeps an explicit route: the
/// first connection (pool slot 0, or the single route of a member without a pool) is dialled for
/// ever, 1 s apart, or with <c>connect_backoff</c> 1 s doubling up to 30 s; a route that was up and
/// dropped is redialled after 1 s. Once it is registered, the other pool slots (as many as the
/// larger of the spec's and the member's pool size) and a dedicated connection per pinned account
/// (<c>$SYS</c> included) are dialled; they go down with it. <c>connect_retries</c> limits only
/// routes learned by gossip, which a hub never follows, so it does not apply here.
/// </summary>
internal sealed partial class RouteSolicitor : IAsyncDisposable
{
    /// <summary>nats-server's dial timeout for routes.</summary>
    private static readonly TimeSpan DialTimeout = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly ClusterServer _server;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly string _shownUrl; // without the password
    private Task _loop = Task.CompletedTask;

    public RouteSolicitor(ClusterServer server, RouteUrl url, string? password, ILogger logger)
    {
        _server = server;
        Url = url;
        _shownUrl = url.ToString();
        Password = password;
        _logger = logger;
    }

    public RouteUrl Url { get; }

    /// <summary>The opened password of the URL (never logged).</summary>
    public string? Password { get; }

    /// <summary>Whether the first connection is registered now.</summary>
    public bool Connected { get; private set; }

    /// <summary>Failed attempts since the route was last up.</summary>
    public int Failures { get; private set; }

    /// <summary>Why the last attempt failed or the route went down.</summary>
    public string? LastError { get; private set; }

    /// <summary>The wait before the next attempt, while waiting.</summary>
    public TimeSpan? NextDelay { get; private set; }

    public void Start() => _loop = RunAsync(_stop.Token);

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                TimeSpan delay;
                var (first, error) = await DialAsync(new SolicitedSlot(Url, Password, 0, null, _server.Spec.Tls is not null), cancellationToken);
                if (first is not null && await first.Registered)
                {
                    Connected = true;
                    Failures = 0;
                    LastError = null;
                    _server.Metrics.RouteDials.Add(1, new KeyValuePair<string, object?>("result", "connected"));
                    LogUp(_logger, _server.Key, _shownUrl, first.Member?.ServerName);
                    await KeepOthersAsync(first, cancellationToken);
                    if (cancellationToken.IsCancellationRequested)
                    {
                        // Stopped (new routes, TLS or pool size in the spec, or the cluster left this gateway).
                        first.Close("the route's settings changed");
                        return;
                    }
                    Connected = false;
                    LastError = first.CloseReason;
                    // A route that was up is redialled after 1 s and a little jitter, as nats-server does.
                    delay = RetryDelay + TimeSpan.FromMilliseconds(Random.Shared.Next(100));
                }
                else
                {
                    Failures++;
                    LastError = error ?? first?.CloseReason ?? "closed during the handshake";
                    _server.Metrics.RouteDials.Add(1, new KeyValuePair<string, object?>("result", "failed"));
                    delay = _server.Spec.ConnectBackoff ? Backoff(Failures) : RetryDelay;
                    var reason = LastError;
                    LogDialFailed(_logger, _server.Key, _shownUrl, Failures, reason, delay.TotalSeconds);
                }
                NextDelay = delay;
                await Task.Delay(delay, cancellationToken);
                NextDelay = null;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>1 s after the first failure, doubling after each further one, at most 30 s.</summary>
    internal static TimeSpan Backoff(int failures) =>
        TimeSpan.FromSeconds(Math.Min(MaxBackoff.TotalSeconds, Math.Pow(2, Math.Min(failures - 1, 30))));

    /// <summary>
    /// While the first connection is up, keeps the other pool slots and the dedicated connections up,
    /// following the spec: an account pinned while the route is up is first requested on the
    /// member's pooled connection for it (the add-account exchange of a nats-server reload), then
    /// dialled; an unpinned one is no longer redialled. All of them go when the first connection goes.
    /// </summary>
    private async Task KeepOthersAsync(RouteConnection first, CancellationToken cancellationToken)
    {
        using var down = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = new Dictionary<(int Slot, string? Account), Task>();
        var initial = true;
        while (!first.IsClosed && !cancellationToken.IsCancellationRequested)
        {
            var changed = _specChanged.WaitAsync(down.Token);
            // An unpinned account's connection is not closed here: the member still pins the account
            // until its own configuration drops it, and would lose the account's messages without it.
            // It is not redialled once it closes (KeepAsync), and is reported as a mismatch meanwhile.
            foreach (var key in WantedSlots(first))
            {
                if (running.TryGetValue(key, out var current) && !current.IsCompleted)
                    continue;
                if (key.Account is { } account && !initial)
                {
                    RouteConnection? pooled;
                    lock (_server.Hub.Gate)
                        pooled = first.Member?.ConnectionFor(account);
                    pooled?.RequestPinnedAccount(account);
                }
                running[key] = KeepAsync(new SolicitedSlot(Url, Password, key.Slot, key.Account, _server.Spec.Tls is not null), down.Token);
            }
            initial = false;
            await Task.WhenAny(first.Closed, changed);
        }
        await down.CancelAsync();
        await Task.WhenAll(running.Values);
    }

    /// <summary>The pool slots after the first (as many as the larger of the spec's and the member's pool size) and one per pinned account.</summary>
    private HashSet<(int Slot, string? Account)> WantedSlots(RouteConnection first)
    {
        var spec = _server.Spec;
        var wanted = new HashSet<(int, string?)>();
        if (first.Kind == RouteKind.NoPool || !spec.PoolingEnabled)
            return wanted;
        var size = Math.Max(spec.PoolSize, first.Member?.PoolSize ?? 0);
        for (var slot = 1; slot < size; slot++)
            wanted.Add((slot, null));
        foreach (var account in spec.EffectivePinnedAccounts)
            wanted.Add((0, account));
        return wanted;
    }

    private readonly SemaphoreSlim _specChanged = new(0);

    /// <summary>The cluster's pinned accounts changed: dedicated connections for new ones are requested and dialled.</summary>
    public void PinnedAccountsChanged() => _specChanged.Release();

    /// <summary>One further slot: redialled 1 s after it drops, until the first connection goes.</summary>
    private async Task KeepAsync(SolicitedSlot slot, CancellationToken cancellationToken)
    {
        var shown = slot.ToString();
        while (!cancellationToken.IsCancellationRequested)
        {
            RouteConnection? connection;
            string? error;
            try
            {
                (connection, error) = await DialAsync(slot, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            if (connection is not null)
            {
                await connection.Closed.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                if (!connection.IsClosed)
                {
                    connection.Close("the route's first connection closed");
                    return;
                }
                error = connection.CloseReason;
                if (slot.Account is { } unpinned && !_server.Spec.EffectivePinnedAccounts.Contains(unpinned))
                    return; // the spec no longer pins the account: the member dropped it too
                // nats-server never redials a dedicated route the other side cannot have.
                if (error?.Contains("Not possible to have a dedicated route", StringComparison.Ordinal) == true)
                {
                    LogGivenUp(_logger, _server.Key, shown, error);
                    return;
                }
            }
            var reason = error ?? "closed";
            LogSlotDown(_logger, _server.Key, shown, reason);
            try
            {
                await Task.Delay(RetryDelay, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>TCP connect with nats-server's 1 s timeout, then the route handshake (started, not awaited).</summary>
    private async Task<(RouteConnection? Connection, string? Error)> DialAsync(SolicitedSlot slot, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(DialTimeout);
        try
        {
            await socket.ConnectAsync(slot.Url.Host, slot.Url.Port, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            return (null, $"no answer within {DialTimeout.TotalSeconds:0} s");
        }
        catch (SocketException e)
        {
            socket.Dispose();
            return (null, e.Message);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return await _server.AttachSolicitedAsync(socket, slot, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    [LoggerMessage(EventId = 2400, Level = LogLevel.Information, Message = "{Cluster}: route to {Url} is up (member {Member})")]
    private static partial void LogUp(ILogger logger, string cluster, string url, string? member);

    [LoggerMessage(EventId = 2401, Level = LogLevel.Warning,
        Message = "{Cluster}: route to {Url} failed (attempt {Attempt}): {Reason}; next attempt in {DelaySeconds:0.#} s")]
    private static partial void LogDialFailed(ILogger logger, string cluster, string url, int attempt, string reason, double delaySeconds);

    [LoggerMessage(EventId = 2402, Level = LogLevel.Information, Message = "{Cluster}: route connection {Slot} is down ({Reason}); redialling in 1 s")]
    private static partial void LogSlotDown(ILogger logger, string cluster, string slot, string reason);

    [LoggerMessage(EventId = 2403, Level = LogLevel.Warning, Message = "{Cluster}: route connection {Slot} refused by the member ({Reason}); not redialled")]
    private static partial void LogGivenUp(ILogger logger, string cluster, string slot, string reason);
}

using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Nats.OrleansRoutes.Gateway.Hub;
using Nats.OrleansRoutes.Gateway.Serving;
using Nats.OrleansRoutes.Protocol;

namespace Nats.OrleansRoutes.Gateway.Routes;

/// <summary>
/// One route connection with a member server. A reader loop parses ops straight from the socket's
/// pipe and hands them to the cluster's hub; a writer loop sends what the hub (and this connection)
/// wrote to <see cref="Out"/>, many ops per write. Split by concern: lifecycle (this file),
/// reading, handshake, writing, keepalive.
/// </summary>
internal sealed partial class RouteConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly ClusterServer _server;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _closing = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Dictionary<string, AccountCounters> _accounts = new(StringComparer.Ordinal);
    private string? _closeReason;
    private int _handshakeSlot = 1; // held from accept until registered or closed
    private Task _loops = Task.CompletedTask;

    public RouteConnection(Socket socket, Stream stream, ClusterServer server, ILogger logger, SolicitedSlot? solicited = null)
    {
        _socket = socket;
        Solicited = solicited;
        if (solicited is not null)
            _handshakeSlot = 0; // the bound is for strangers dialling us, not for routes we dial
        _stream = stream;
        // After the NetworkStream exists (it insists on a blocking socket): readers' inline sends
        // must never block, and the stream itself is only used asynchronously.
        socket.Blocking = false;
        _server = server;
        _logger = logger;
        Remote = socket.RemoteEndPoint?.ToString() ?? "?";
        Started = DateTimeOffset.UtcNow;
        _parser = new RouteParser(new RouteParserSettings
        {
            MaxControlLine = server.Options.MaxControlLine,
            MaxPayload = server.Options.MaxPayload,
        });
        _batch = new Batch(StallAbove(server.Options), server.Metrics);
    }

    public string Remote { get; }

    /// <summary>Set when this gateway dialled the connection (a spec route); null when the member dialled us.</summary>
    public SolicitedSlot? Solicited { get; }

    /// <summary>Completes with true once the member's INFO registered the connection, false if it closed before.</summary>
    public Task<bool> Registered => _registered.Task;

    private readonly TaskCompletionSource<bool> _registered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Why the connection closed (null while open).</summary>
    public string? CloseReason => _closeReason;

    public DateTimeOffset Started { get; }

    public RouteState State { get; private set; } = RouteState.AwaitingConnect;

    public RouteKind Kind { get; private set; }

    public int PoolIndex { get; private set; }

    public string? PinnedAccount { get; private set; }

    public Member? Member { get; private set; }

    /// <summary>Set when the member dialled a URL route offered to it (from its CONNECT on).</summary>
    public UrlRoute? UrlRoute { get; set; }

    /// <summary>The INFO a URL route answers with (the source member's identity and client URLs).</summary>
    private RouteInfo? _urlRouteInfo;
    /// <summary>A redial of a URL route that ended: answered with the dialler's own id, then closed.</summary>
    private bool _endedUrlRoute;

    public OutboundBuffer Out { get; } = new();

    public bool IsClosed => _closing.IsCancellationRequested;

    public Task Closed => _closed.Task;

    /// <summary>Set by a <see cref="Batch"/> while this connection waits for the batch's send.</summary>
    public bool TouchedInBatch { get; set; }

    /// <summary>What the member told us on this connection → weight.</summary>
    public Dictionary<InterestKey, int> RemoteInterest { get; } = [];

    /// <summary>Interest the member announced that the cluster's export permissions keep from the others.</summary>
    public Dictionary<InterestKey, int> RefusedInterest { get; } = [];

    public long MessagesIn { get; private set; }
    public long BytesIn { get; private set; }
    public long MessagesOut { get; private set; }
    public long BytesOut { get; private set; }

    /// <summary>Round trip time of the last PING.</summary>
    public TimeSpan? Rtt { get; private set; }

    /// <summary>Per account traffic, read under the hub's lock.</summary>
    public IReadOnlyDictionary<string, AccountCounters> Accounts => _accounts;

    public void Attach(Member member)
    {
        Member = member;
        // Whether the member's LS- start with the origin follows what it announced (protocol doc §3.6).
        _parser.Settings = _parser.Settings with { LeafUnsubHasOrigin = member.LeafOriginUnsub };
    }

    public void SetKind(RouteKind kind, int poolIndex, string? pinnedAccount)
    {
        Kind = kind;
        PoolIndex = poolIndex;
        PinnedAccount = pinnedAccount;
        if (pinnedAccount is not null)
            _parser.Settings = _parser.Settings with { PinnedAccount = pinnedAccount };
    }

    public string Describe() => Kind switch
    {
        RouteKind.NoPool => "single route (no pool)",
        RouteKind.Pooled => $"pool slot {PoolIndex}",
        RouteKind.Pinned => $"pinned account {PinnedAccount}",
        RouteKind.UrlRoute => "URL route",
        _ => "unregistered route",
    };

    /// <summary>Sends our INFO (CONNECT and INFO when we dialled), then runs until the connection ends.</summary>
    public void Start()
    {
        _server.Metrics.ConnectionsOpened.Add(1);
        if (Solicited is { } solicited)
        {
            // As nats-server's solicitor: CONNECT; with compression off our INFO (with the slot we
            // chose) follows at once, otherwise after the member's INFO decided it (§5.3). The
            // member's INFO (sent on accept) registers the connection.
            State = RouteState.AwaitingInfo;
            WriteConnect(solicited);
            if (!MayCompress)
                WriteInfo();
        }
        ScheduleSend();
        _loops = Task.WhenAll(ReadLoopAsync(), WriteLoopAsync(), InfoIfSilentAsync());
    }

    /// <summary>
    /// How long an accepted connection's INFO waits for the peer's CONNECT. Every nats-server sends
    /// its CONNECT at once when it dials, so the INFO can answer it: a member dialling a URL route
    /// must get that route's identity in the first INFO it reads. A peer that has sent nothing by
    /// then (a NATS client on the route port waits for an INFO first) gets the usual one; a peer
    /// that has sent something is answered by the reader, however late it gets to it.
    /// </summary>
    internal static readonly TimeSpan InfoGrace = TimeSpan.FromMilliseconds(500);

    /// <summary>Set by the reader once the peer has sent a byte.</summary>
    private volatile bool _peerSpoke;

    private int _infoTurnTaken;

    /// <summary>True once, for whoever writes the first INFO of an accepted connection.</summary>
    private bool TakeInfoTurn() => Solicited is null && Interlocked.Exchange(ref _infoTurnTaken, 1) == 0;

    private bool PeerBytesWaiting()
    {
        try
        {
            return _socket.Available > 0;
        }
        catch (Exception e) when (e is ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            return false; // closed meanwhile
        }
    }

    private async Task InfoIfSilentAsync()
    {
        if (Solicited is not null)
            return;
        try
        {
            await Task.Delay(InfoGrace, _closing.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        // Bytes waiting in the socket or already read: the reader answers them (a busy machine can
        // delay it past the grace; a generic INFO then would break a URL route).
        if (_peerSpoke || IsClosed || PeerBytesWaiting())
            return;
        if (TakeInfoTurn())
        {
            WriteInfo();
            ScheduleSend();
        }
    }

    /// <summary>Ends the connection now; everything it carried is withdrawn from the hub.</summary>
    public void Close(string reason)
    {
        lock (_server.Hub.Gate)
        {
            if (State == RouteState.Closed)
                return;
            var registered = State == RouteState.Registered;
            State = RouteState.Closed;
            _closeReason = reason;
            _closing.Cancel();
            if (_compression is { Compresses: true })
                _server.S2LinkClosed();
            lock (Out.Gate)
                _carry.Release();
            if (_inflatedChunks is { } log)
                _batch.SettleCarriers(log, CloseBatch);
            if (UrlRoute is not null)
                ClusterHub.UrlRouteClosed(this);
            else if (registered)
            {
                try
                {
                    _server.Hub.Unregister(this, CloseBatch);
                }
                finally
                {
                    // A connection touched by a batch that is never flushed is never sent to by a batch again.
                    CloseBatch.Flush();
                }
            }
        }
        CloseBatch.Send();
        // Connections that never got past the handshake are logged once per 10 s per address:
        // a flood of them must not flood the log (nor use up the allowance of that address).
        var suppressed = 0;
        if (Member is not null || UrlRoute is not null || (_socket.RemoteEndPoint as System.Net.IPEndPoint)?.Address is not { } address
            || _server.Limiter.ShouldLog(address, RefusalKind.EarlyClose, out suppressed))
        {
            var more = Suppressed(suppressed);
            LogClosed(_logger, _server.Key, Remote, Member?.ServerName ?? UrlRoute?.TargetName, Kind, reason, more);
        }
        _server.Metrics.ConnectionsClosed.Add(1);
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
        _socket.Close();
        Out.Clear();
        FailRoundTrips();
        LeaveHandshake();
        _server.Forget(this);
        _registered.TrySetResult(false);
        _closed.TrySetResult();
    }

    /// <summary>The tail of a throttled log line: how many like it were not logged.</summary>
    internal static string Suppressed(int count) => count == 0 ? "" : $" (+{count} more from this address not logged)";

    /// <summary>Gives back the handshake slot taken at accept (once).</summary>
    private void LeaveHandshake()
    {
        if (Interlocked.Exchange(ref _handshakeSlot, 0) == 1)
            _server.Handshakes.Exit();
    }

    private Batch CloseBatch => _closeBatch ??= new Batch(long.MaxValue, _server.Metrics);

    private Batch? _closeBatch;

    public async ValueTask DisposeAsync()
    {
        Close(_closeReason ?? "the cluster stopped being served here");
        await _loops.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _stream.DisposeAsync();
        _closing.Dispose();
    }

    /// <summary>The account of the last message relayed from this connection (a hint for the hub).</summary>
    public AccountInterest? LastAccount { get; set; }

    private string? _countersAccount;
    private AccountCounters? _counters;

    /// <summary>The counters of an account on this connection; the last ones are kept at hand (by the name's instance).</summary>
    private AccountCounters Counters(string account)
    {
        if (ReferenceEquals(account, _countersAccount))
            return _counters!;
        if (!_accounts.TryGetValue(account, out var counters))
            _accounts[account] = counters = new AccountCounters();
        _countersAccount = account;
        _counters = counters;
        return counters;
    }

    /// <summary>A message arrived (under the hub's lock); null for an account nobody has shown interest in.</summary>
    public void CountIn(string? account, int bytes)
    {
        MessagesIn++;
        BytesIn += bytes;
        if (account is null)
            return;
        var counters = Counters(account);
        counters.MessagesIn++;
        counters.BytesIn += bytes;
    }

    [LoggerMessage(EventId = 2100, Level = LogLevel.Information, Message = "{Cluster}: route with {Remote} ({Member}, {Kind}) closed: {Reason}{More}")]
    private static partial void LogClosed(ILogger logger, string cluster, string remote, string? member, RouteKind kind, string reason, string more);
}

using Microsoft.Extensions.Logging;
using Nats.OrleansRoutes.Gateway.Hub;
using Nats.OrleansRoutes.Grains;
using Nats.OrleansRoutes.Protocol;

namespace Nats.OrleansRoutes.Gateway.Routes;

// The handshake, as nats-server does it. Accepted: our INFO at once; CONNECT must be the first op
// and is checked (then authorized by the cluster grain, with cached answers); the member's INFO
// registers the connection with the hub. Solicited: we sent CONNECT and INFO; the member's INFO
// (sent on accept) registers it in the slot we chose.
internal sealed partial class RouteConnection
{
    private Outcome Handshake(in RouteOp op)
    {
        if (State == RouteState.AwaitingConnect)
            return OnConnect(op);

        switch (op.Kind)
        {
            case RouteOpKind.Ping:
                WritePong(null);
                ScheduleSend();
                return Outcome.NeedMore;
            case RouteOpKind.Pong or RouteOpKind.Ok:
                return Outcome.NeedMore;
            case RouteOpKind.Err:
                Close($"the member sent -ERR {System.Text.Encoding.UTF8.GetString(op.Arguments)}");
                return Outcome.Close;
            case RouteOpKind.Info:
                return OnMemberInfo(op.Arguments);
            default:
                Close($"{RouteOpNames.Of(op.Kind)} before the member's INFO");
                return Outcome.Close;
        }
    }

    private Outcome OnConnect(in RouteOp op)
    {
        RouteConnect? connect = null;
        string? error = null;
        var readable = op.Kind == RouteOpKind.Connect && RouteJson.TryParseConnect(op.Arguments, out connect, out error);
        if (TakeInfoTurn())
        {
            // The INFO answers the CONNECT: a URL route's token picks the identity it presents.
            var urlRoute = readable && connect!.User == UrlRoutes.User;
            if (urlRoute)
                _urlRouteInfo = _server.Hub.ClaimUrlRoute(connect!.Password, this, _server.Info());
            if (!urlRoute || _urlRouteInfo is not null)
                WriteInfo();
            else if (connect!.Name is { Length: > 0 } dialler && connect.Cluster == _server.Spec.Name)
            {
                // A redial of a URL route that ended (its source left, or another gateway gave out
                // the token). nats-server redials a gossiped route whenever the TCP dial succeeds,
                // every 0-100 ms, for ever; an INFO with the dialler's own server id is the one
                // answer that ends it ("route to self", no reconnect). The gateway's own id would
                // make the member take this for one more hub route instead.
                WriteInfo(_server.Info() with { ServerId = dialler });
                _endedUrlRoute = true;
            }
            ScheduleSend();
        }
        if (op.Kind != RouteOpKind.Connect)
            return Refuse("Authorization Violation", $"first op was {RouteOpNames.Of(op.Kind)}, not CONNECT", "no_connect");
        if (!readable || connect is null)
            return Refuse("Authorization Violation", $"unreadable CONNECT: {error}", "bad_connect");
        if (connect.Lang is not null)
            return Refuse("attempted to connect to route port", "a client dialled the route port", "client_on_route_port");
        if (connect.Gateway is { } gateway)
            return Refuse($"Rejecting connection from gateway \"{gateway}\" on the Route port", "a gateway dialled the route port", "gateway_on_route_port");
        if (connect.Account is not null || connect.NewAccount is not null)
            return Refuse("Authorization Violation", "CONNECT names an account", "account_in_connect");
        var name = _server.Spec.Name;
        if (connect.Cluster != name)
            return Refuse($"Rejecting connection, cluster name \"{connect.Cluster}\" does not match \"{name}\"", "cluster name mismatch", "cluster_name");
        if (connect.User == UrlRoutes.User)
        {
            // The token is the credential: it was handed to this member over its own authorized route.
            if (_endedUrlRoute)
            {
                _server.Metrics.HandshakeFailures.Add(1, new KeyValuePair<string, object?>("reason", "url_route_ended"));
                CloseSoon("a URL route with an unknown, used or late token: told the member it dialled itself, which ends its redials");
                return Outcome.Close;
            }
            if (_urlRouteInfo is null)
                return Refuse("Authorization Violation", "a URL route with an unknown, used or late token", "authorization");
            State = RouteState.AwaitingInfo;
            return Outcome.NeedMore;
        }
        _pendingConnect = connect;
        State = RouteState.Authorizing;
        return Outcome.Authorize;
    }

    private async Task AuthorizeAsync(RouteConnect connect)
    {
        var handshake = new RouteHandshake(connect.User, connect.Password, TlsIdentities, connect.Cluster, null, null, null, Remote);
        var source = (_socket.RemoteEndPoint as System.Net.IPEndPoint)?.Address;
        var (decision, rateLimited) = await _server.Authorizer.AuthorizeAsync(handshake, source, _closing.Token);
        if (State != RouteState.Authorizing)
            return; // closed meanwhile (auth timeout)
        if (!decision.Allowed)
        {
            // A source that keeps failing is logged once per 10 s, with the count, not once per attempt.
            var suppressed = 0;
            if (source is null || _server.Limiter.ShouldLog(source, Serving.RefusalKind.Authorization, out suppressed))
            {
                var more = Suppressed(suppressed);
                LogRefused(_logger, _server.Key, Remote, decision.Reason, more);
            }
            Refuse("Authorization Violation", decision.Reason, rateLimited ? "rate_limited" : "authorization");
            return;
        }
        _pendingConnect = null;
        State = RouteState.AwaitingInfo;
    }

    private Outcome OnMemberInfo(ReadOnlySpan<byte> json)
    {
        if (!RouteJson.TryParseInfo(json, out var info, out var error))
        {
            Close($"unreadable INFO: {error}");
            return Outcome.Close;
        }
        if (NegotiateCompression(info) is { } switched)
            return switched;
        if (_urlRouteInfo is not null)
            return EstablishUrlRoute(info);
        if (Solicited is { } solicited)
        {
            // The member accepted: its INFO has no slot; the slot is the one we chose and announced.
            if (info.RoutePoolSize is null && (solicited.PoolIndex > 0 || solicited.Account is not null))
            {
                Close($"the member has no connection pool, so it takes no {(solicited.Account is null ? $"pool slot {solicited.PoolIndex}" : $"dedicated route for {solicited.Account}")}");
                return Outcome.Close;
            }
            if (info.RoutePoolSize is not null)
                info = info with { RoutePoolIndex = solicited.PoolIndex == 0 ? null : solicited.PoolIndex, RouteAccount = solicited.Account };
        }
        BeforeRegistering();
        Refusal? refusal;
        lock (_server.Hub.Gate)
        {
            try
            {
                refusal = _server.Hub.Register(this, info, _batch);
                if (refusal is null)
                {
                    State = RouteState.Registered;
                    LeaveHandshake();
                    _registered.TrySetResult(true);
                }
            }
            finally
            {
                // Whatever happens, the connections written to are released to later batches.
                _batch.Flush();
            }
        }
        _batch.Send();
        if (refusal is null)
            return Outcome.NeedMore;
        _server.Metrics.HandshakeFailures.Add(1, new KeyValuePair<string, object?>("reason", "registration"));
        LogNotRegistered(_logger, _server.Key, Remote, refusal.Reason);
        CloseAfterErr(refusal.ErrText, refusal.Reason);
        return Outcome.Close;
    }

    /// <summary>A URL route's member sent its INFO: from now on the route only answers PINGs.</summary>
    private Outcome EstablishUrlRoute(RouteInfo info)
    {
        if (_server.Hub.EstablishUrlRoute(this, info) is { } problem)
        {
            Close(problem);
            return Outcome.Close;
        }
        SetKind(RouteKind.UrlRoute, 0, null);
        lock (_server.Hub.Gate)
        {
            if (State == RouteState.Closed)
                return Outcome.Close;
            State = RouteState.Registered;
        }
        LeaveHandshake();
        _registered.TrySetResult(true);
        return Outcome.NeedMore;
    }

    /// <summary>
    /// An INFO after registration: gossip and gateway bookkeeping are ignored; lame-duck mode
    /// withdraws the member's client URLs from the others. The add-account
    /// exchange of a pinned account (protocol doc §4.7, nats-server-facts.md): a request carries
    /// <c>route_account</c> and is echoed without it; an echo answers a request of ours.
    /// </summary>
    private void OnAsyncInfo(ReadOnlySpan<byte> json)
    {
        if (!RouteJson.TryParseInfo(json, out var info, out _))
            return;
        if (info.LameDuckMode == true && Member is { } member && info.ServerId == member.ServerId)
            _server.Hub.EnteredLameDuckMode(member, _batch);
        if (info.RouteAccountAddRequestId is not { } request)
            return;
        if (info.RouteAccount is null)
        {
            LogPinAnswered(_logger, _server.Key, Member?.ServerName, request);
            return;
        }
        var answer = RouteJson.Serialize(new RouteInfo { RoutePoolSize = info.RoutePoolSize, RouteAccountAddRequestId = request });
        FlushRun(); // what this link holds back of another member ends an op first
        lock (Out.Gate)
            RouteWriter.WriteInfo(Out, answer);
        _batch.Touch(this);
    }

    /// <summary>
    /// Asks the member to take <paramref name="account"/> on a dedicated connection before the
    /// gateway dials it (as a server reloading with a new pinned account asks its routes): sent on
    /// the member's pooled connection for the account, with the member's pool size. Until that
    /// connection registers, the member has dropped the account's interest from this one: the
    /// window is shown as <c>pinning</c> in /routez.
    /// </summary>
    public void RequestPinnedAccount(string account)
    {
        var request = RouteJson.Serialize(new RouteInfo
        {
            RouteAccount = account,
            RouteAccountAddRequestId = Guid.NewGuid().ToString("N"),
            RoutePoolSize = Member?.PoolSize,
        });
        lock (_server.Hub.Gate)
        {
            Member?.Pinning.Add(account);
            FlushRun(); // what this link holds back of another member ends an op first
            lock (Out.Gate)
                RouteWriter.WriteInfo(Out, request);
        }
        SendNow();
        LogPinRequested(_logger, _server.Key, Member?.ServerName, account);
    }

    [LoggerMessage(EventId = 2122, Level = LogLevel.Information, Message = "{Cluster}: asked member {Member} to take account {Account} on a dedicated route")]
    private static partial void LogPinRequested(ILogger logger, string cluster, string? member, string account);

    [LoggerMessage(EventId = 2123, Level = LogLevel.Debug, Message = "{Cluster}: member {Member} answered the dedicated-route request {Request}")]
    private static partial void LogPinAnswered(ILogger logger, string cluster, string? member, string request);

    private Outcome Refuse(string errText, string reason, string metric)
    {
        _server.Metrics.HandshakeFailures.Add(1, new KeyValuePair<string, object?>("reason", metric));
        CloseAfterErr(errText, reason);
        return Outcome.Close;
    }

    /// <summary>The names of the member's TLS certificate (for verify_and_map); null without TLS.</summary>
    public IReadOnlyList<string>? TlsIdentities { get; init; }

    [LoggerMessage(EventId = 2120, Level = LogLevel.Warning, Message = "{Cluster}: route from {Remote} refused: {Reason}{More}")]
    private static partial void LogRefused(ILogger logger, string cluster, string remote, string reason, string more);

    [LoggerMessage(EventId = 2121, Level = LogLevel.Information, Message = "{Cluster}: route from {Remote} not registered: {Reason}")]
    private static partial void LogNotRegistered(ILogger logger, string cluster, string remote, string reason);
}

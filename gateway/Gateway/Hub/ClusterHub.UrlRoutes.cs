using Microsoft.Extensions.Logging;
using Nats.OrleansRoutes.Gateway.Routes;
using Nats.OrleansRoutes.Gateway.Serving;
using Nats.OrleansRoutes.Protocol;

namespace Nats.OrleansRoutes.Gateway.Hub;

// Client URLs across the hub: URL routes (see UrlRoutes) are offered when members come, closed
// when they go, and offered again while one is missing.
internal sealed partial class ClusterHub
{
    private readonly UrlRoutes _urlRoutes = new();

    /// <summary>Where members dial this cluster's route endpoint (<c>host:port</c>, IPv6 in brackets); no URL routes without it.</summary>
    public string? RouteEndpoint { get; init; }

    public IEnumerable<UrlRoute> UrlRouteList => _urlRoutes.All;

    /// <summary>Offers the URL routes that are missing and closes those no longer wanted (periodically, besides member and spec changes).</summary>
    public void RefreshUrlRoutes()
    {
        var batch = new Batch(long.MaxValue, metrics);
        lock (Gate)
        {
            try
            {
                RefreshUrlRoutes(batch);
            }
            finally
            {
                batch.Flush();
            }
        }
        batch.Send();
    }

    private void RefreshUrlRoutes(Batch batch)
    {
        var toClose = new List<RouteConnection>();
        var advertise = !_spec.NoAdvertise && RouteEndpoint is not null;
        foreach (var route in _urlRoutes.Refresh(_members, advertise, toClose))
        {
            var source = _members[route.Source];
            var target = _members[route.Target];
            target.GeneralConnection!.WriteGossip(new RouteInfo
            {
                ServerId = UrlRouteServerId(route.Source),
                ServerName = UrlRouteServerName(source),
                Cluster = _spec.Name,
                // Without auth_required the member keeps the URL's user and password for its CONNECT;
                // port 0 keeps the offer from matching a route the member has configured (which it would skip).
                Ip = $"nats-route://{UrlRoutes.User}:{route.Token}@{RouteEndpoint}/",
            }, batch);
            LogUrlRouteOffered(logger, ClusterKey, target.ServerName, source.ServerName, route.Offers);
        }
        foreach (var connection in toClose)
            connection.CloseSoon("its member left or entered lame-duck mode, or the cluster stopped advertising client URLs");
    }

    /// <summary>
    /// A member announced lame-duck mode: its URL routes close, so the others drop its client URLs
    /// and tell their clients, as a mesh peer's <c>ldm</c> INFO makes them do. Under the hub's lock.
    /// </summary>
    public void EnteredLameDuckMode(Member member, Batch batch)
    {
        if (member.LameDuck)
            return;
        member.LameDuck = true;
        LogLameDuck(logger, ClusterKey, member.ServerName);
        RefreshUrlRoutes(batch);
    }

    /// <summary>
    /// A member dialled with the token of an offer: the INFO to answer with (the source's identity
    /// and client URLs), or null for a token that is unknown, used, or whose source has left.
    /// </summary>
    public RouteInfo? ClaimUrlRoute(string? token, RouteConnection connection, RouteInfo ours)
    {
        lock (Gate)
        {
            if (_urlRoutes.Claim(token, connection) is not { } route)
                return null;
            connection.UrlRoute = route;
            if (!_members.TryGetValue(route.Source, out var source))
                return null;
            return ours with
            {
                ServerId = UrlRouteServerId(route.Source),
                ServerName = UrlRouteServerName(source),
                ConnectUrls = source.ClientUrls.Count > 0 ? source.ClientUrls : null,
                WebSocketConnectUrls = source.WebSocketUrls.Count > 0 ? source.WebSocketUrls : null,
                // One connection, whatever the member's pool: nats-server treats a peer without a pool
                // as a pre-2.10 server and dials nothing more to it.
                RoutePoolSize = null,
                LeafNodeOriginCluster = null,
                LeafNodeOriginClusterUnsub = null,
                // 2.11+: do not tell other servers about this route.
                GossipMode = 1,
            };
        }
    }

    /// <summary>The INFO of a URL route's member arrived: null if it is the member the offer was for, else why not.</summary>
    public string? EstablishUrlRoute(RouteConnection connection, RouteInfo info)
    {
        lock (Gate)
        {
            if (connection.UrlRoute is not { } route)
                return "no URL route was offered";
            if (info.ServerId != route.Target)
                return $"the URL route was offered to {route.Target}, not {info.ServerId}";
            UrlRoutes.Established(route);
            route.TargetName = info.ServerName;
            LogUrlRouteOpen(logger, ClusterKey, _members.GetValueOrDefault(route.Target)?.ServerName ?? route.Target,
                _members.GetValueOrDefault(route.Source)?.ServerName ?? route.Source);
            return null;
        }
    }

    /// <summary>A URL route closed (under the hub's lock).</summary>
    public static void UrlRouteClosed(RouteConnection connection)
    {
        if (connection.UrlRoute is { } route)
            UrlRoutes.Detach(route, connection);
    }

    private string UrlRouteServerId(string source) => GatewayIdentity.ServerIdFor($"natsroutes-url-route:{identity.ServerId}:{source}");

    private string UrlRouteServerName(Member source) => $"{source.ServerName}@{identity.ServerName}";

    [LoggerMessage(EventId = 2012, Level = LogLevel.Information, Message = "{Cluster}: member {Member} entered lame-duck mode; its client URLs are withdrawn from the others")]
    private static partial void LogLameDuck(ILogger logger, string cluster, string member);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Debug, Message = "{Cluster}: offered member {Target} a URL route for the client URLs of {Source} (offer {Offer})")]
    private static partial void LogUrlRouteOffered(ILogger logger, string cluster, string target, string source, int offer);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Information, Message = "{Cluster}: member {Target} has the client URLs of {Source} (URL route open)")]
    private static partial void LogUrlRouteOpen(ILogger logger, string cluster, string target, string source);
}

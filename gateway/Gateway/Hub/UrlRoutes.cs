using System.Diagnostics;
using System.Security.Cryptography;
using Nats.OrleansRoutes.Gateway.Routes;

namespace Nats.OrleansRoutes.Gateway.Hub;

/// <summary>
/// Client URLs across the hub. A member takes a route peer's <c>connect_urls</c> and
/// <c>ws_connect_urls</c> only from the first INFO of a route to that server id, and drops them when
/// its last connection to that id closes (nats-server-facts.md). So for every ordered pair of
/// members the gateway offers the target a URL route: a gossip INFO naming an identity of the
/// source, which the target dials back to this gateway with a one-time token, and which the
/// gateway answers with the source's URLs. A URL route carries nothing else: the gateway announces
/// no interest on it, so no message is sent on it, and what the target announces there is dropped.
/// Every method runs under the hub's lock.
/// </summary>
internal sealed class UrlRoutes
{
    /// <summary>The user of a URL route's CONNECT; its password is the offer's token.</summary>
    public const string User = "natsroutes-url-route";

    /// <summary>How long an offer waits for the member's dial before it is made again, with a new token.</summary>
    public static readonly TimeSpan OfferTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Offers per pair before giving up until one of the two reconnects (a member that cannot reach the gateway).</summary>
    public const int MaxOffers = 3;

    private readonly Dictionary<(string Source, string Target), UrlRoute> _routes = [];
    private readonly Dictionary<string, UrlRoute> _byToken = new(StringComparer.Ordinal);

    public IEnumerable<UrlRoute> All => _routes.Values;

    /// <summary>
    /// Brings the routes in line with the members: drops those whose source or target left (all of
    /// them when the cluster does not advertise), adding their connections to <paramref name="toClose"/>,
    /// and returns the offers to send now.
    /// </summary>
    public List<UrlRoute> Refresh(IReadOnlyDictionary<string, Member> members, bool advertise, List<RouteConnection> toClose)
    {
        foreach (var (pair, route) in _routes.ToList())
        {
            if (advertise && members.TryGetValue(pair.Source, out var source) && source.HasClientUrls && members.ContainsKey(pair.Target))
                continue;
            _routes.Remove(pair);
            if (route.Token is { } token)
                _byToken.Remove(token);
            if (route.Connection is { } connection)
                toClose.Add(connection);
        }
        var offers = new List<UrlRoute>();
        if (!advertise)
            return offers;
        foreach (var source in members.Values.Where(m => m.HasClientUrls))
        {
            foreach (var target in members.Values)
            {
                if (ReferenceEquals(source, target) || target.GeneralConnection is null)
                    continue;
                if (!_routes.TryGetValue((source.ServerId, target.ServerId), out var route))
                    _routes[(source.ServerId, target.ServerId)] = route = new UrlRoute(source.ServerId, target.ServerId);
                if (route.Connection is not null || route.Offers >= MaxOffers
                    || (route.OfferedAt != 0 && Stopwatch.GetElapsedTime(route.OfferedAt) < OfferTimeout))
                    continue;
                if (route.Token is { } old)
                    _byToken.Remove(old);
                route.Token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
                _byToken[route.Token] = route;
                route.OfferedAt = Stopwatch.GetTimestamp();
                route.Offers++;
                offers.Add(route);
            }
        }
        return offers;
    }

    /// <summary>The offer a dialling member's token answers, now taken by <paramref name="connection"/>; null for an unknown or used token.</summary>
    public UrlRoute? Claim(string? token, RouteConnection connection)
    {
        if (token is null || !_byToken.Remove(token, out var route) || route.Connection is not null)
            return null;
        route.Token = null;
        route.Connection = connection;
        return route;
    }

    /// <summary>The target's INFO arrived on the route: the offer is fulfilled.</summary>
    public static void Established(UrlRoute route) => route.Offers = 0;

    /// <summary>A URL route closed: offered again (after <see cref="OfferTimeout"/>) while both members stay.</summary>
    public static void Detach(UrlRoute route, RouteConnection connection)
    {
        if (!ReferenceEquals(route.Connection, connection))
            return;
        route.Connection = null;
        route.OfferedAt = Stopwatch.GetTimestamp();
    }
}

/// <summary>The URL route that gives <see cref="Target"/> the client URLs of <see cref="Source"/> (server ids).</summary>
internal sealed class UrlRoute(string source, string target)
{
    public string Source { get; } = source;

    public string Target { get; } = target;

    /// <summary>The target's server name, once it dialled (for log lines about the route).</summary>
    public string? TargetName { get; set; }

    /// <summary>The token of the open offer; null when none is open.</summary>
    public string? Token { get; set; }

    /// <summary>Stopwatch time of the last offer; 0 for none.</summary>
    public long OfferedAt { get; set; }

    public int Offers { get; set; }

    /// <summary>The connection the target dialled, from its CONNECT until it closes.</summary>
    public RouteConnection? Connection { get; set; }
}

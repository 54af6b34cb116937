namespace Nats.OrleansRoutes.Gateway.Routes;

/// <summary>What a route connection carries.</summary>
internal enum RouteKind
{
    /// <summary>Not registered yet.</summary>
    Unknown,
    /// <summary>The one connection of a member without a pool (2.9, or pool_size -1): every account, with its name.</summary>
    NoPool,
    /// <summary>One slot of a member's pool: accounts with their names.</summary>
    Pooled,
    /// <summary>Dedicated to one account: ops carry no account field.</summary>
    Pinned,
    /// <summary>Gives the member another member's client URLs (<see cref="Hub.UrlRoutes"/>); carries nothing else.</summary>
    UrlRoute,
}

/// <summary>Where a connection is in its life.</summary>
internal enum RouteState
{
    AwaitingConnect,
    Authorizing,
    AwaitingInfo,
    Registered,
    Closed,
}

/// <summary>Messages and payload bytes of one account on one connection.</summary>
internal sealed class AccountCounters
{
    public long MessagesIn;
    public long BytesIn;
    public long MessagesOut;
    public long BytesOut;
}

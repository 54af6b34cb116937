using Nats.OrleansRoutes.Gateway.Routes;
using Nats.OrleansRoutes.Protocol;

namespace Nats.OrleansRoutes.Gateway.Hub;

/// <summary>
/// One member server of a cluster (by server_id) and its route connections: the single
/// connection of a no-pool (2.9-style) member, or the pool slots and the dedicated connections of
/// its pinned accounts. Also what the hub has told it: per account, the connection used and the
/// interest announced there, so that every interest is announced on exactly one connection.
/// </summary>
internal sealed class Member(string serverId)
{
    public string ServerId { get; } = serverId;

    public string ServerName { get; set; } = "";

    /// <summary>Stopwatch timestamp of the member's first connection (pinned connections may follow a little later).</summary>
    public long JoinedAt { get; } = System.Diagnostics.Stopwatch.GetTimestamp();

    public string Version { get; set; } = "";

    public bool Headers { get; set; } = true;

    /// <summary>Accounts the gateway asked the member to pin whose dedicated connection has not registered yet.</summary>
    public SortedSet<string> Pinning { get; } = new(StringComparer.Ordinal);

    /// <summary>Announced <c>lnoc</c>: takes LS+ and LMSG with the leaf origin.</summary>
    public bool LeafOrigin { get; set; }

    /// <summary>Announced <c>lnocu</c>: its LS- carry the origin, and ours to it must.</summary>
    public bool LeafOriginUnsub { get; set; }

    /// <summary>The client URLs of the member's first INFO (<c>connect_urls</c>), given to the other members over URL routes.</summary>
    public IReadOnlyList<string> ClientUrls { get; set; } = [];

    /// <summary>The websocket client URLs of the member's first INFO (<c>ws_connect_urls</c>).</summary>
    public IReadOnlyList<string> WebSocketUrls { get; set; } = [];

    /// <summary>Announced lame-duck mode (<c>ldm</c>): its clients are about to be moved, so the others stop offering its URLs.</summary>
    public bool LameDuck { get; set; }

    public bool HasClientUrls => !LameDuck && (ClientUrls.Count > 0 || WebSocketUrls.Count > 0);

    /// <summary>A connection that is not dedicated to an account: where gossip (URL route offers) goes.</summary>
    public RouteConnection? GeneralConnection => Single ?? Pool.FirstOrDefault(c => c is not null);

    /// <summary>The member's own pool_size; null for a no-pool member (2.9, or pool_size -1).</summary>
    public int? PoolSize { get; set; }

    public RouteConnection? Single { get; set; }

    public RouteConnection?[] Pool { get; set; } = [];

    public Dictionary<string, RouteConnection> Pinned { get; } = new(StringComparer.Ordinal);

    /// <summary>What has been announced to this member, per account.</summary>
    public Dictionary<string, Announced> AnnouncedByAccount { get; } = new(StringComparer.Ordinal);

    /// <summary>Differences from the cluster spec (pool size, pinned accounts), for status and logs.</summary>
    public SortedSet<string> Mismatches { get; } = new(StringComparer.Ordinal);

    public IEnumerable<RouteConnection> Connections =>
        (Single is null ? [] : new[] { Single }).Concat(Pool.OfType<RouteConnection>()).Concat(Pinned.Values);

    public bool HasConnections => Single is not null || Pinned.Count > 0 || Pool.Any(c => c is not null);

    /// <summary>
    /// The connection this member uses for an account, as nats-server picks it: the account's
    /// dedicated connection if the member pins it; else the single connection of a no-pool member;
    /// else the pool slot of FNV-1a(account) mod the member's pool size, or — while the pool is
    /// still forming — its lowest open slot. Null while no connection can carry the account.
    /// </summary>
    public RouteConnection? ConnectionFor(string account)
    {
        // Messages of one account come in runs: remember the last answer (by the account name's
        // instance, which the hub keeps) until the member's connections change.
        if (ReferenceEquals(account, _cachedAccount))
            return _cachedConnection;
        var connection = Resolve(account);
        _cachedAccount = account;
        _cachedConnection = connection;
        return connection;
    }

    /// <summary>Call after any change to <see cref="Single"/>, <see cref="Pool"/>, <see cref="Pinned"/> or <see cref="PoolSize"/>.</summary>
    public void ConnectionsChanged()
    {
        _cachedAccount = null;
        _cachedConnection = null;
    }

    private string? _cachedAccount;
    private RouteConnection? _cachedConnection;

    private RouteConnection? Resolve(string account)
    {
        if (Pinned.TryGetValue(account, out var pinned))
            return pinned;
        if (Single is not null)
            return Single;
        if (Pool.Length == 0)
            return null;
        var slot = PoolIndex.Of(account, PoolSize ?? 1);
        if (slot < Pool.Length && Pool[slot] is { } preferred)
            return preferred;
        return Pool.FirstOrDefault(c => c is not null);
    }

    public override string ToString() => $"{ServerName} ({ServerId})";
}

/// <summary>What the hub announced to a member for one account: the connection and the keys on it.</summary>
internal sealed class Announced
{
    public RouteConnection? Connection { get; set; }

    /// <summary>(leaf origin or "", subject, queue or "") → announced weight (0 for plain interest).</summary>
    public Dictionary<(string Origin, string Subject, string Queue), int> Keys { get; } = [];
}

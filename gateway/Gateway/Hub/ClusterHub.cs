using Microsoft.Extensions.Logging;
using Nats.OrleansRoutes.Config.Cluster;
using Nats.OrleansRoutes.Gateway.Diagnostics;
using Nats.OrleansRoutes.Gateway.Routes;
using Nats.OrleansRoutes.Gateway.Serving;

namespace Nats.OrleansRoutes.Gateway.Hub;

/// <summary>
/// The hub of one cluster: its members, their interest per account, and the relay of interest
/// and messages between them. nats-server never forwards what it learns from one route to another
/// ("one hop"), so the hub does all of it: each member is told the union of the other members'
/// interest, and each message goes to every other member that wants it, never back to its origin.
/// Every method runs under <see cref="Gate"/>; connection reader loops take it once per batch of ops.
/// Split by concern: members (this file), interest, messages.
/// </summary>
internal sealed partial class ClusterHub
{
    private readonly Dictionary<string, Member> _members = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AccountInterest> _accounts = new(StringComparer.Ordinal);
    private readonly GatewayIdentity identity;
    private readonly GatewayMetrics metrics;
    private readonly ILogger logger;
    private ClusterSpec _spec = new();
    private RoutePermissions _permissions = RoutePermissions.None;

    public ClusterHub(string clusterKey, GatewayIdentity identity, GatewayMetrics metrics, ILogger logger)
    {
        ClusterKey = clusterKey;
        this.identity = identity;
        this.metrics = metrics;
        this.logger = logger;
        _accountLookup = _accounts.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public Lock Gate { get; } = new();

    /// <summary>
    /// False while this gateway takes over a cluster from one that is leaving: members register and
    /// interest is exchanged, but messages are not relayed (the leaving gateway still relays them).
    /// </summary>
    public bool Relaying { get; set; } = true;

    public int MemberCount
    {
        get
        {
            lock (Gate)
                return _members.Count;
        }
    }

    /// <summary>The server ids of the members with at least one registered connection.</summary>
    public List<string> MemberIds()
    {
        lock (Gate)
            return [.. _members.Keys];
    }

    /// <summary>
    /// Whether every listed member is here with all its connections (single, every pool slot, and
    /// the dedicated ones the spec pins), or has had <paramref name="patience"/> to dial them.
    /// </summary>
    public bool HasSettled(IEnumerable<string> serverIds, TimeSpan patience)
    {
        lock (Gate)
        {
            foreach (var id in serverIds)
            {
                if (!_members.TryGetValue(id, out var member))
                    return false;
                var complete = member.Single is not null
                    || (member.Pool.Length > 0 && member.Pool.All(c => c is not null)
                        && _spec.EffectivePinnedAccounts.All(member.Pinned.ContainsKey));
                if (!complete && System.Diagnostics.Stopwatch.GetElapsedTime(member.JoinedAt) < patience)
                    return false;
            }
            return true;
        }
    }

    public string ClusterKey { get; }

    public IReadOnlyCollection<Member> Members => _members.Values;

    public ClusterSpec Spec => _spec;

    /// <summary>A new spec version: pool size and pinned accounts are what mismatches are judged by; new permissions apply at once.</summary>
    public void UpdateSpec(ClusterSpec spec)
    {
        var batch = new Batch(long.MaxValue, metrics);
        lock (Gate)
        {
            try
            {
                _spec = spec;
                foreach (var member in _members.Values)
                    CheckMismatches(member);
                if (!Equals(spec.Permissions, _permissions.Source))
                    ApplyPermissions(RoutePermissions.Of(spec.Permissions), batch);
                RefreshUrlRoutes(batch);
            }
            finally
            {
                batch.Flush();
            }
        }
        batch.Send();
    }

    /// <summary>
    /// Adds a connection whose INFO has arrived. Returns null when it is registered, or why it must
    /// close (with the -ERR text to send first, if nats-server would send one).
    /// </summary>
    public Refusal? Register(RouteConnection connection, Protocol.RouteInfo info, Batch batch)
    {
        if (info.ServerId == identity.ServerId)
            return new Refusal("route to self", null);
        if (!string.IsNullOrEmpty(info.Cluster) && info.Cluster != _spec.Name)
            return new Refusal($"cluster name conflict: member says \"{info.Cluster}\", the cluster is \"{_spec.Name}\"", null);
        if (info.ServerName == identity.ServerName)
            return new Refusal($"remote server has a duplicate name \"{info.ServerName}\"", null);
        if (string.IsNullOrEmpty(info.ServerId))
            return new Refusal("INFO without server_id", null);

        var joined = !_members.TryGetValue(info.ServerId, out var known);
        var member = known ?? new Member(info.ServerId);
        var refusal = Place(member, connection, info);
        member.ConnectionsChanged();
        if (refusal is not null)
            return refusal;
        _members[member.ServerId] = member;
        member.ServerName = info.ServerName ?? member.ServerName;
        member.Version = info.Version ?? member.Version;
        member.Headers = info.Headers ?? false;
        member.LeafOrigin = info.LeafNodeOriginCluster ?? false;
        member.LeafOriginUnsub = info.LeafNodeOriginClusterUnsub ?? false;
        if (joined)
        {
            member.ClientUrls = info.ConnectUrls ?? [];
            member.WebSocketUrls = info.WebSocketConnectUrls ?? [];
        }
        connection.Attach(member);
        if (connection.PinnedAccount is { } pinned)
            ForgetPooledInterest(member, connection, pinned, batch);
        CheckMismatches(member);
        Reconcile(member, batch);
        if (joined)
            RefreshUrlRoutes(batch);
        LogRegistered(logger, ClusterKey, member.ServerName, connection.Kind, connection.PoolIndex, connection.PinnedAccount, connection.Remote);
        return null;
    }

    /// <summary>Puts a connection in its slot: single (no pool), pool index, or pinned account. Duplicates lose.</summary>
    private Refusal? Place(Member member, RouteConnection connection, Protocol.RouteInfo info)
    {
        if (info.RoutePoolSize is not { } memberPool)
        {
            if (member.Single is not null || member.Pool.Any(c => c is not null))
                return new Refusal("duplicate route", null);
            member.Single = connection;
            member.PoolSize = null;
            connection.SetKind(RouteKind.NoPool, 0, null);
            return null;
        }
        if (info.RouteAccount is { } account)
        {
            if (!_spec.PoolingEnabled)
                return new Refusal($"dedicated route for {account} with pooling off",
                    $"Not possible to have a dedicated route for account \"{account}\" between those servers");
            if (member.Pinned.ContainsKey(account))
                return new Refusal($"duplicate route for account {account}", null);
            member.Pinned[account] = connection;
            member.PoolSize ??= memberPool;
            member.Pinning.Remove(account);
            connection.SetKind(RouteKind.Pinned, 0, account);
            return null;
        }
        var size = Math.Max(_spec.PoolingEnabled ? _spec.PoolSize : 1, memberPool);
        var index = info.RoutePoolIndex ?? 0;
        if (index < 0 || index >= size)
            return new Refusal($"invalid pool index {index}", $"Invalid route pool index: {index} - pool size is {size}");
        if (member.Single is not null)
            return new Refusal("duplicate route", null);
        if (member.Pool.Length < size)
        {
            var grown = new RouteConnection?[size];
            member.Pool.CopyTo(grown, 0);
            member.Pool = grown;
        }
        if (member.Pool[index] is not null)
            return new Refusal($"duplicate route for pool slot {index}", null);
        member.Pool[index] = connection;
        member.PoolSize = memberPool;
        connection.SetKind(RouteKind.Pooled, index, null);
        return null;
    }

    /// <summary>
    /// A dedicated connection for <paramref name="account"/> registered: the member now sends the
    /// account's interest there, so what it sent on its other connections is dropped (nats-server
    /// drops a newly pinned account's interest from pooled routes the same way).
    /// </summary>
    private void ForgetPooledInterest(Member member, RouteConnection pinned, string account, Batch batch)
    {
        foreach (var other in member.Connections.Where(c => !ReferenceEquals(c, pinned)).ToList())
        {
            foreach (var key in other.RemoteInterest.Keys.Where(k => k.Account == account).ToList())
                SetRemoteInterest(other, key, 0, batch);
        }
    }

    /// <summary>Removes a closed connection: its interest is withdrawn from the others, announcements move.</summary>
    public void Unregister(RouteConnection connection, Batch batch)
    {
        if (connection.Member is not { } member)
            return;
        WithdrawAll(connection, batch);
        if (ReferenceEquals(member.Single, connection))
            member.Single = null;
        for (var i = 0; i < member.Pool.Length; i++)
        {
            if (ReferenceEquals(member.Pool[i], connection))
                member.Pool[i] = null;
        }
        if (connection.PinnedAccount is { } account && member.Pinned.GetValueOrDefault(account) == connection)
            member.Pinned.Remove(account);
        member.ConnectionsChanged();
        if (!member.HasConnections)
        {
            _members.Remove(member.ServerId);
            ForgetTarget(member);
            RefreshUrlRoutes(batch);
            LogMemberGone(logger, ClusterKey, member.ServerName);
            return;
        }
        Reconcile(member, batch);
    }

    /// <summary>
    /// Pinned connections are dialled alongside the pool, so a member that does not pin an account
    /// of the spec is only reported once it has had <see cref="PinSettleTime"/> to dial them.
    /// </summary>
    public static readonly TimeSpan PinSettleTime = TimeSpan.FromSeconds(5);

    /// <summary>Re-judges every member (called periodically, to report missing pins once members settle).</summary>
    public void CheckMismatches()
    {
        lock (Gate)
        {
            foreach (var member in _members.Values)
                CheckMismatches(member);
        }
    }

    /// <summary>Reports how a member differs from the spec: nats-server loses messages silently when pinning is one-sided.</summary>
    private void CheckMismatches(Member member)
    {
        var found = new SortedSet<string>(StringComparer.Ordinal);
        if (_spec.PoolingEnabled && member.PoolSize is { } pool && pool != _spec.PoolSize)
            found.Add($"pool_size {pool}, spec says {_spec.PoolSize}");
        if (_spec.PoolingEnabled && member.PoolSize is null && member.Single is not null && !member.Version.StartsWith("2.9", StringComparison.Ordinal))
            found.Add($"no connection pool (pool_size -1?), spec says {_spec.PoolSize}");
        foreach (var account in member.Pinned.Keys.Where(a => !_spec.EffectivePinnedAccounts.Contains(a)))
            found.Add($"pins account {account}, the spec does not");
        if (member.PoolSize is not null && System.Diagnostics.Stopwatch.GetElapsedTime(member.JoinedAt) > PinSettleTime)
        {
            foreach (var account in _spec.EffectivePinnedAccounts.Where(a => !member.Pinned.ContainsKey(a)))
                found.Add($"does not pin account {account}, the spec does");
        }
        foreach (var added in found.Except(member.Mismatches))
        {
            metrics.Mismatches.Add(1);
            LogMismatch(logger, ClusterKey, member.ServerName, added);
        }
        member.Mismatches.Clear();
        member.Mismatches.UnionWith(found);
    }

    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "{Cluster}: member {Member} registered a {Kind} route (slot {Slot}, account {Account}) from {Remote}")]
    private static partial void LogRegistered(ILogger logger, string cluster, string member, RouteKind kind, int slot, string? account, string remote);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "{Cluster}: member {Member} has no connection left; its interest is withdrawn")]
    private static partial void LogMemberGone(ILogger logger, string cluster, string member);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "{Cluster}: member {Member} differs from the cluster spec: {Mismatch}")]
    private static partial void LogMismatch(ILogger logger, string cluster, string member, string mismatch);
}

/// <summary>Why a connection must close; <see cref="ErrText"/> is the -ERR nats-server sends, or null to close silently.</summary>
internal sealed record Refusal(string Reason, string? ErrText);

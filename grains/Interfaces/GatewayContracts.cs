using Orleans.Concurrency;

namespace Nats.OrleansRoutes.Grains;

/// <summary>
/// A gateway process announcing itself: where it serves route endpoints, its monitoring URL, and its
/// failover group. Route ports are unique within a group, whose gateways share one range and take
/// over each other's clusters; another group uses the same range again at its own addresses.
/// </summary>
public sealed record GatewayRegistration(string GatewayId, string Host, int PortFrom, int PortTo, string? MonitorUrl, int Capacity,
    string Group = GatewayRegistration.DefaultGroup)
{
    public const string DefaultGroup = "default";
}

/// <summary>A registered gateway and its current load.</summary>
public sealed record GatewayInfo(GatewayRegistration Registration, DateTimeOffset LastSeen, bool Live, int Clusters);

/// <summary>Where the directory chose to place a cluster.</summary>
public sealed record PlacementChoice(string GatewayId, string Host, int Port, string Group = GatewayRegistration.DefaultGroup);

/// <summary>
/// A cluster's placement as the directory records it (the cluster grain is authoritative), with the
/// cluster's spec version, so that a gateway's heartbeat tells it which served specs changed
/// (null: not known, read the spec).
/// </summary>
public sealed record DirectoryEntry(string Cluster, string GatewayId, int Port, long Epoch, string Group = GatewayRegistration.DefaultGroup,
    long? SpecVersion = null);

/// <summary>
/// The version of the directory's placements: a count of changes, and the activation of the
/// directory that counted them (a directory activated again counts from zero).
/// </summary>
public sealed record PlacementsVersion(Guid Directory, long Changes);

/// <summary>
/// A heartbeat's answer: the placements' version, and the gateway's placements when they are not
/// those of the version it named. A quiet deployment's heartbeats carry no list; before, a gateway
/// serving 10 000 clusters was sent all 10 000 entries every reconcile (every 2 s).
/// </summary>
public sealed record HeartbeatReply(PlacementsVersion Version, IReadOnlyList<DirectoryEntry>? Placements);

/// <summary>What happened to a cluster, as gateways are told it.</summary>
public enum ClusterChangeKind
{
    /// <summary>Spec, credentials or pinned accounts changed: <see cref="ClusterChange.Version"/> is the new version.</summary>
    Changed,
    /// <summary>Placed on a gateway: <see cref="ClusterChange.Version"/> is the new lease epoch.</summary>
    Placed,
    Deleted,
    /// <summary>The new holder of a hand-over has every member: the leaving gateway may stop.</summary>
    HandoverReady,
}

/// <summary>
/// A hint that a cluster changed. Gateways re-read the versioned truth from the cluster grain, and
/// also reconcile on a timer, so a lost hint only delays a change.
/// </summary>
public sealed record ClusterChange(string Cluster, ClusterChangeKind Kind, long Version);

/// <summary>Implemented by each gateway and subscribed at the directory: how cluster changes reach it.</summary>
[Alias("cluster-change-observer")]
public interface IClusterChangeObserver : IGrainObserver
{
    [OneWay]
    Task OnClusterChanged(ClusterChange change);
}

/// <summary>
/// The deployment's gateways (key <c>default</c>): their registrations and heartbeats, the
/// placement of clusters on them, and the allocation of route ports.
/// </summary>
[Alias("gateway-directory")]
public interface IGatewayDirectoryGrain : IGrainWithStringKey
{
    public const string Key = "default";

    Task Register(GatewayRegistration registration);

    /// <summary>
    /// Sends this gateway every <see cref="ClusterChange"/> from now on. Subscriptions live in the
    /// directory's memory only: gateways subscribe again on every reconcile.
    /// </summary>
    Task Subscribe(string gatewayId, IClusterChangeObserver observer);

    /// <summary>Tells the subscribed gateways (called by cluster grains, without waiting).</summary>
    [OneWay]
    Task Publish(ClusterChange change);

    /// <summary>
    /// A gateway is alive; returns the clusters the directory has placed on it, with their spec
    /// versions, unless the placements are still those of <paramref name="known"/> (the version of
    /// the gateway's last answer, null at first).
    /// </summary>
    Task<HeartbeatReply> Heartbeat(string gatewayId, PlacementsVersion? known);

    /// <summary>Says goodbye: the gateway is no longer a candidate for placement.</summary>
    Task Deregister(string gatewayId);

    Task<IReadOnlyList<GatewayInfo>> List();

    /// <summary>
    /// Picks a live gateway and a route port: the cluster's port in its group while a live gateway
    /// of the group serves it (the previous one if it can), else the least loaded gateway with a
    /// port free in its group.
    /// </summary>
    Task<PlacementChoice?> Choose(string cluster, string? previousGateway, int? preferredPort, string? excludeGateway);

    /// <summary>Records where a cluster now is (called by the cluster grain after it placed it).</summary>
    Task Record(DirectoryEntry entry);

    /// <summary>Records a placed cluster's new spec version (called by the cluster grain on every change).</summary>
    Task RecordVersion(string cluster, long version);

    Task Forget(string cluster);

    /// <summary>Clusters recorded on gateways that are no longer live: they need placing again.</summary>
    Task<IReadOnlyList<string>> Orphans();
}

/// <summary>A lease a gateway holds (the cluster and the epoch it was placed at) and wants extended.</summary>
public sealed record LeaseClaim(string Cluster, long Epoch);

/// <summary>The outcome of one <see cref="LeaseClaim"/>: the cluster grain's answer, or why it could not be asked.</summary>
public sealed record LeaseRenewal(string Cluster, LeaseResult? Result, string? Error);

/// <summary>
/// Extends many leases in one call: a stateless worker in the silo asks each cluster grain, so a
/// gateway serving a thousand clusters sends one message per batch and renewal round instead of a
/// thousand. Each cluster grain still decides, and persists, its own lease.
/// </summary>
[Alias("lease-renewer")]
public interface ILeaseRenewerGrain : IGrainWithIntegerKey
{
    /// <summary>One renewal per claim, in the claims' order.</summary>
    Task<IReadOnlyList<LeaseRenewal>> Renew(string gatewayId, IReadOnlyList<LeaseClaim> claims);
}

using Nats.OrleansRoutes.Runtime.Identity;

namespace Nats.OrleansRoutes.Grains;

/// <summary>A gateway process announcing itself: where it serves route endpoints and its monitoring URL.</summary>
public sealed record GatewayRegistration(string GatewayId, string Host, int PortFrom, int PortTo, string? MonitorUrl, int Capacity);

/// <summary>A registered gateway and its current load.</summary>
public sealed record GatewayInfo(GatewayRegistration Registration, DateTimeOffset LastSeen, bool Live, int Clusters);

/// <summary>Where the directory chose to place a cluster.</summary>
public sealed record PlacementChoice(string GatewayId, string Host, int Port);

/// <summary>A cluster's placement as the directory records it (the cluster grain is authoritative).</summary>
public sealed record DirectoryEntry(string Cluster, string GatewayId, int Port, long Epoch);

/// <summary>
/// The deployment's gateways (key <c>default</c>): their registrations and heartbeats, the
/// placement of clusters on them, and the allocation of route ports.
/// </summary>
[GrainType("gateway-directory")]
public interface IGatewayDirectoryGrain : IGrainWithStringKey
{
    public const string Key = "default";

    Task Register(GatewayRegistration registration);

    /// <summary>A gateway is alive; returns the clusters the directory has placed on it.</summary>
    Task<IReadOnlyList<DirectoryEntry>> Heartbeat(string gatewayId);

    /// <summary>Says goodbye: the gateway is no longer a candidate for placement.</summary>
    Task Deregister(string gatewayId);

    Task<IReadOnlyList<GatewayInfo>> List();

    /// <summary>Picks the least loaded live gateway (the previous one if it can) and a route port.</summary>
    Task<PlacementChoice?> Choose(string cluster, string? previousGateway, int? preferredPort, string? excludeGateway);

    /// <summary>Records where a cluster now is (called by the cluster grain after it placed it).</summary>
    Task Record(DirectoryEntry entry);

    Task Forget(string cluster);

    /// <summary>Clusters recorded on gateways that are no longer live: they need placing again.</summary>
    Task<IReadOnlyList<string>> Orphans();
}

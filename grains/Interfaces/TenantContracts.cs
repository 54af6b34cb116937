using Nats.OrleansRoutes.Runtime.Identity;

namespace Nats.OrleansRoutes.Grains;

public sealed record TenantView(string Tenant, IReadOnlyList<string> Clusters, int Quota);

/// <summary>A tenant (key: the tenant name): the clusters it owns and its cluster quota.</summary>
[GrainType("tenant")]
public interface ITenantGrain : IGrainWithStringKey
{
    Task<TenantView> Get();

    /// <summary>Reserves a cluster name; refuses when the quota is reached. Idempotent.</summary>
    Task AddCluster(string name);

    Task RemoveCluster(string name);

    Task SetQuota(int quota);
}

/// <summary>Every tenant that has clusters (key <c>all</c>), so clusters can be listed across tenants.</summary>
[GrainType("tenant-registry")]
public interface ITenantRegistryGrain : IGrainWithStringKey
{
    public const string Key = "all";

    Task<IReadOnlyList<string>> List();

    Task Add(string tenant);

    Task Remove(string tenant);
}

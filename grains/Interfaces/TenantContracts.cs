namespace Nats.OrleansRoutes.Grains;

public sealed record TenantView(string Tenant, int Clusters, int Quota);

/// <summary>
/// One page of names in ordinal order. <see cref="Next"/> is the last name of the page when more
/// follow (pass it as <c>after</c> for the next page), else null.
/// </summary>
public sealed record NamePage(IReadOnlyList<string> Names, string? Next);

/// <summary>A tenant (key: the tenant name): the clusters it owns and its cluster quota.</summary>
[Alias("tenant")]
public interface ITenantGrain : IGrainWithStringKey
{
    Task<TenantView> Get();

    /// <summary>The tenant's cluster names after <paramref name="after"/> (null: from the start), at most <paramref name="limit"/>.</summary>
    Task<NamePage> ListClusters(string? after, int limit);

    /// <summary>Reserves a cluster name; refuses when the quota is reached. Idempotent.</summary>
    Task AddCluster(string name);

    Task RemoveCluster(string name);

    Task SetQuota(int quota);
}

/// <summary>Every tenant that has clusters (key <c>all</c>), so clusters can be listed across tenants.</summary>
[Alias("tenant-registry")]
public interface ITenantRegistryGrain : IGrainWithStringKey
{
    public const string Key = "all";

    /// <summary>Tenant names after <paramref name="after"/> (null: from the start), at most <paramref name="limit"/>.</summary>
    Task<NamePage> List(string? after, int limit);

    Task Add(string tenant);

    Task Remove(string tenant);
}

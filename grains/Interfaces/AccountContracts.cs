namespace Nats.OrleansRoutes.Grains;

/// <summary>How an account's traffic travels between the service and the members.</summary>
public sealed record AccountView(
    string Tenant,
    string Cluster,
    string Account,
    bool Pinned,
    int? PoolIndex,
    int PoolSize,
    long ClusterVersion,
    string Route);

/// <summary>One account of one cluster (key <c>tenant/cluster/account</c>): its route assignment.</summary>
[Alias("account")]
public interface IAccountGrain : IGrainWithStringKey
{
    Task<AccountView> Get();

    /// <summary>Gives the account a dedicated route; returns the cluster's new version.</summary>
    Task<long> Pin();

    /// <summary>Moves the account back into the pool; returns the cluster's new version.</summary>
    Task<long> Unpin();
}

using Nats.OrleansRoutes.Protocol;

namespace Nats.OrleansRoutes.Grains.Account;

public sealed class AccountState
{
    public DateTimeOffset? PinnedAt { get; set; }
    public DateTimeOffset? UnpinnedAt { get; set; }
}

/// <summary>
/// One account of one cluster (key <c>tenant/cluster/account</c>). Its route is derived from the
/// cluster spec, which stays the one source of truth: pinned (a dedicated connection) or the pool
/// slot nats-server computes (FNV-1a of the name modulo the cluster's pool_size).
/// </summary>
[GrainType("account")]
public sealed class AccountGrain([PersistentState("account", GrainStorage.Name)] IPersistentState<AccountState> state, TimeProvider time)
    : Grain, IAccountGrain
{
    private AccountState State => state.State;

    private string Key => this.GetPrimaryKeyString();

    private TimeProvider Time => time;

    private Task WriteStateAsync() => state.WriteStateAsync();

    private (ClusterRef Cluster, string Account) Parts
    {
        get
        {
            var last = Key.LastIndexOf('/');
            if (last <= 0 || !ClusterRef.TryParse(Key[..last], out var cluster, out var problem))
                throw new ClusterRequestException($"account key \"{Key}\" is not TENANT/CLUSTER/ACCOUNT");
            _ = problem;
            return (cluster, Key[(last + 1)..]);
        }
    }

    private IClusterGrain ClusterGrain => GrainFactory.GetGrain<IClusterGrain>(Parts.Cluster.Key);

    public async Task<AccountView> Get()
    {
        var (cluster, account) = Parts;
        var view = await ClusterGrain.Get();
        var spec = view.Spec;
        var pinned = spec.EffectivePinnedAccounts.Contains(account);
        int? index = pinned ? null : PoolIndex.Of(account, spec.PoolingEnabled ? spec.PoolSize : 1);
        var route = pinned ? "pinned: a dedicated route connection"
            : !spec.PoolingEnabled ? "the single route connection (pooling disabled)"
            : $"pool slot {index} of {spec.PoolSize}";
        return new AccountView(cluster.Tenant, cluster.Name, account, pinned, index, spec.PoolSize, view.Version, route);
    }

    public async Task<long> Pin()
    {
        var version = await ClusterGrain.PinAccount(Parts.Account);
        State.PinnedAt = Time.GetUtcNow();
        await WriteStateAsync();
        return version;
    }

    public async Task<long> Unpin()
    {
        var version = await ClusterGrain.UnpinAccount(Parts.Account);
        State.UnpinnedAt = Time.GetUtcNow();
        await WriteStateAsync();
        return version;
    }
}

using Microsoft.Extensions.Options;

namespace Nats.OrleansRoutes.Grains.Tenant;

public sealed class TenantState
{
    public SortedSet<string> Clusters { get; set; } = new(StringComparer.Ordinal);
    public int? Quota { get; set; }
}

/// <summary>A tenant: which clusters it owns, and how many it may have.</summary>
[GrainType("tenant")]
public sealed class TenantGrain([PersistentState("tenant", GrainStorage.Name)] IPersistentState<TenantState> state, IOptions<GrainsOptions> options)
    : Grain, ITenantGrain
{
    private TenantState State => state.State;

    private string Key => this.GetPrimaryKeyString();

    private int Quota => State.Quota ?? options.Value.DefaultTenantQuota;

    private Task WriteStateAsync() => state.WriteStateAsync();

    public Task<TenantView> Get() => Task.FromResult(new TenantView(Key, State.Clusters.Count, Quota));

    public Task<NamePage> ListClusters(string? after, int limit) => Task.FromResult(Paging.Page(State.Clusters, after, limit));

    public async Task AddCluster(string name)
    {
        if (State.Clusters.Contains(name))
            return;
        if (State.Clusters.Count >= Quota)
        {
            throw new ClusterRequestException(
                $"tenant {Key} has {State.Clusters.Count} clusters, its quota; delete one or raise the quota (natsroutes tenant quota {Key} N)");
        }
        var first = State.Clusters.Count == 0;
        State.Clusters.Add(name);
        await WriteStateAsync();
        if (first)
            await GrainFactory.GetGrain<ITenantRegistryGrain>(ITenantRegistryGrain.Key).Add(Key);
    }

    public async Task RemoveCluster(string name)
    {
        if (!State.Clusters.Remove(name))
            return;
        await WriteStateAsync();
        if (State.Clusters.Count == 0)
            await GrainFactory.GetGrain<ITenantRegistryGrain>(ITenantRegistryGrain.Key).Remove(Key);
    }

    public async Task SetQuota(int quota)
    {
        if (quota < 0)
            throw new ClusterRequestException($"quota {quota} is negative");
        State.Quota = quota;
        await WriteStateAsync();
    }
}

public sealed class TenantRegistryState
{
    public SortedSet<string> Tenants { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>The names of all tenants with clusters.</summary>
[GrainType("tenant-registry")]
public sealed class TenantRegistryGrain([PersistentState("tenants", GrainStorage.Name)] IPersistentState<TenantRegistryState> state)
    : Grain, ITenantRegistryGrain
{
    private TenantRegistryState State => state.State;

    private Task WriteStateAsync() => state.WriteStateAsync();

    public Task<NamePage> List(string? after, int limit) => Task.FromResult(Paging.Page(State.Tenants, after, limit));

    public async Task Add(string tenant)
    {
        if (State.Tenants.Add(tenant))
            await WriteStateAsync();
    }

    public async Task Remove(string tenant)
    {
        if (State.Tenants.Remove(tenant))
            await WriteStateAsync();
    }
}

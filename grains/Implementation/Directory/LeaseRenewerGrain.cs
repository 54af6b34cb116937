using Orleans.Concurrency;

namespace Nats.OrleansRoutes.Grains.Directory;

/// <summary>
/// Fans a gateway's lease renewals out to the cluster grains, all at once, from inside the silo.
/// A stateless worker: activations are local to the silo that received the call and are added
/// under load, so no single activation is a bottleneck.
/// </summary>
[StatelessWorker]
[GrainType("lease-renewer")]
public sealed class LeaseRenewerGrain : Grain, ILeaseRenewerGrain
{
    public async Task<IReadOnlyList<LeaseRenewal>> Renew(string gatewayId, IReadOnlyList<LeaseClaim> claims) =>
        await Task.WhenAll(claims.Select(claim => RenewAsync(gatewayId, claim)));

    private async Task<LeaseRenewal> RenewAsync(string gatewayId, LeaseClaim claim)
    {
        try
        {
            return new LeaseRenewal(claim.Cluster, await GrainFactory.GetGrain<IClusterGrain>(claim.Cluster).RenewLease(gatewayId, claim.Epoch), null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // One cluster grain that cannot answer (its storage is down) fails only its own renewal.
            return new LeaseRenewal(claim.Cluster, null, e.Message);
        }
    }
}

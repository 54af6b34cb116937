using Nats.OrleansRoutes.Config.Cluster;

namespace Nats.OrleansRoutes.Gateway.Routes;

/// <summary>
/// A connection this gateway dials to one of the spec's <c>routes</c>: the URL (with the opened
/// password), and the slot it takes: a pool index, or the account it is dedicated to.
/// </summary>
internal sealed record SolicitedSlot(RouteUrl Url, string? Password, int PoolIndex, string? Account, bool Tls)
{
    public string? User => Url.User;

    /// <summary>For logs and /routez: the URL without its password, and the slot.</summary>
    public override string ToString() => Account is { } account ? $"{Url} (dedicated to {account})" : $"{Url} (pool slot {PoolIndex})";
}

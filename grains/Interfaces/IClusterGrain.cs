namespace Nats.OrleansRoutes.Grains;

/// <summary>
/// One tenant cluster (key <c>tenant/cluster</c>): its spec and version, credentials,
/// placement on a gateway with a lease, and the authorization decisions for route handshakes.
/// </summary>
[Alias("cluster")]
public interface IClusterGrain : IGrainWithStringKey
{
    /// <summary>Validates the file as nats-server 2.15.1 would, then creates or replaces the spec.</summary>
    Task<ImportResult> Import(ImportRequest request);

    /// <summary>The cluster as operators see it (secrets redacted); throws when it does not exist.</summary>
    Task<ClusterView> Get();

    /// <summary>The view, or null when the cluster does not exist.</summary>
    Task<ClusterView?> Find();

    /// <summary>Sets one option of the cluster block (dotted for nested ones: <c>authorization.timeout</c>); returns the new version.</summary>
    Task<long> Set(string option, string value);

    Task Delete();

    /// <summary>Replaces the route password; the old one keeps working for <paramref name="grace"/>. Returns the new password, shown once.</summary>
    Task<string> RotateCredentials(TimeSpan grace);

    Task<AuthorizationDecision> Authorize(RouteHandshake handshake);

    /// <summary>Adds an account to the pinned list (called by the account grain); returns the new version.</summary>
    Task<long> PinAccount(string account);

    Task<long> UnpinAccount(string account);

    /// <summary>
    /// The configuration a member server should use to route to the service: server_name and the
    /// cluster block, with <paramref name="passwordPlaceholder"/> where the route password goes.
    /// <paramref name="serverVersion"/> (2.9, 2.10, 2.15; default 2.15) leaves out options that version refuses.
    /// </summary>
    Task<string> MemberConfig(string serverName, string? listen, string passwordPlaceholder, string? serverVersion, MemberTlsFiles? tls);

    /// <summary>Places the cluster on a live gateway if it has no valid lease; returns the placement.</summary>
    Task<PlacementView?> EnsurePlacement();

    /// <summary>Extends the lease if <paramref name="gatewayId"/> holds it at <paramref name="epoch"/>.</summary>
    Task<LeaseResult> RenewLease(string gatewayId, long epoch);

    /// <summary>Gives the lease up (graceful drain) and places the cluster on another gateway.</summary>
    Task<PlacementView?> ReleaseLease(string gatewayId, long epoch);

    /// <summary>
    /// Graceful drain: places the cluster on another gateway, which takes over the listed members
    /// (server ids) and says <see cref="HandoverReady"/> before the leaving one stops. Returns the new
    /// placement, or the ended lease when no other gateway can take the cluster.
    /// </summary>
    Task<PlacementView?> Handover(string gatewayId, long epoch, IReadOnlyList<string> memberServerIds);

    /// <summary>The new holder has the hand-over's members and has synchronised their interest: the leaving gateway may stop.</summary>
    Task HandoverReady(string gatewayId, long epoch);

    /// <summary>The spec for the gateway holding the lease, with solicit passwords still encrypted.</summary>
    Task<ServingSpec> GetServingSpec(string gatewayId);
}

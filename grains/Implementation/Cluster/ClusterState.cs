using Nats.OrleansRoutes.Config.Cluster;

namespace Nats.OrleansRoutes.Grains.Cluster;

/// <summary>What the cluster grain stores. The spec holds no secret: those live hashed or sealed beside it.</summary>
public sealed class ClusterState
{
    public string Tenant { get; set; } = "";
    public string Name { get; set; } = "";

    /// <summary>Increases on every change of spec, credentials or pinned accounts (never on lease renewals).</summary>
    public long Version { get; set; }

    public ClusterSpec? Spec { get; set; }

    /// <summary>The inbound route credential: user and password hash.</summary>
    public StoredCredential? Credential { get; set; }

    /// <summary>The credential before the last rotation, valid until <see cref="PreviousValidUntil"/>.</summary>
    public StoredCredential? Previous { get; set; }

    public DateTimeOffset? PreviousValidUntil { get; set; }

    public DateTimeOffset? RotatedAt { get; set; }

    /// <summary>Solicit passwords of spec.routes, sealed with the deployment's secrets key.</summary>
    public List<EncryptedRouteSecret> RouteSecrets { get; set; } = [];

    public StoredPlacement? Placement { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed record StoredCredential(string? User, string Hash);

/// <summary>
/// Where the cluster is served. During a graceful hand-over <see cref="Handover"/> names the gateway
/// that is leaving and the members it had; it is cleared when the new holder is ready.
/// </summary>
public sealed record StoredPlacement(string GatewayId, string Host, int Port, long Epoch, DateTimeOffset LeaseExpiresAt,
    HandoverInfo? Handover = null, string Group = GatewayRegistration.DefaultGroup)
{
    public PlacementView ToView() => new(GatewayId, Host, Port, Epoch, LeaseExpiresAt);
}

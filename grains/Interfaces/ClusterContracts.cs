using Nats.OrleansRoutes.Config.Cluster;

namespace Nats.OrleansRoutes.Grains;

/// <summary>How an import treats a cluster that already exists (or not).</summary>
public enum ImportMode
{
    /// <summary>Create; refuse if the cluster exists.</summary>
    Create,
    /// <summary>Replace the spec of an existing cluster; refuse if it does not exist.</summary>
    Replace,
    CreateOrReplace,
}

/// <summary>A nats-server configuration (with a cluster {} block) to import; <see cref="SourceName"/> names it in messages.</summary>
public sealed record ImportRequest(string ConfigText, string SourceName, ImportMode Mode = ImportMode.CreateOrReplace);

/// <summary>
/// The outcome of an import. When the file had no authorization, the service generated route
/// credentials: <see cref="GeneratedPassword"/> holds the password, shown this once only.
/// </summary>
public sealed record ImportResult(long Version, bool Created, IReadOnlyList<string> Warnings, string? GeneratedUser, string? GeneratedPassword);

/// <summary>A member's own TLS files, for the <c>tls {}</c> block member-config writes (paths on the member's machine).</summary>
public sealed record MemberTlsFiles(string CertFile, string KeyFile, string CaFile);

/// <summary>What is known about the inbound route credential, never the secret itself.</summary>
public sealed record CredentialsView(string? User, string Kind, DateTimeOffset? RotatedAt, DateTimeOffset? PreviousValidUntil);

/// <summary>Where a cluster is served: the gateway, the route endpoint members dial, and the lease.</summary>
public sealed record PlacementView(string GatewayId, string Host, int Port, long Epoch, DateTimeOffset LeaseExpiresAt)
{
    public string Endpoint => $"{Host}:{Port}";
}

/// <summary>
/// A cluster as operators see it. <see cref="Spec"/> has every secret redacted; the inbound
/// credential is described by <see cref="Credentials"/>.
/// </summary>
public sealed record ClusterView(
    string Tenant,
    string Name,
    long Version,
    ClusterSpec Spec,
    CredentialsView Credentials,
    PlacementView? Placement,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>
/// The CONNECT a route presented, for <see cref="IClusterGrain.Authorize"/>; with TLS, the names of
/// its certificate in the order nats-server tries them for <c>verify_and_map</c> (e-mail, DNS and
/// URI SANs, then the subject).
/// </summary>
public sealed record RouteHandshake(
    string? User,
    string? Password,
    IReadOnlyList<string>? TlsIdentities,
    string? ClusterName,
    int? PoolIndex,
    int? PoolSize,
    string? PinnedAccount,
    string Remote);

/// <summary>Allow or deny, why, and the spec version the answer holds for (caches drop it when the version changes).</summary>
public sealed record AuthorizationDecision(bool Allowed, string Reason, long SpecVersion, IReadOnlyList<string> Warnings)
{
    public static AuthorizationDecision Allow(long version, IReadOnlyList<string>? warnings = null) =>
        new(true, "ok", version, warnings ?? []);

    public static AuthorizationDecision Deny(long version, string reason) => new(false, reason, version, []);
}

/// <summary>
/// What a gateway needs to serve a cluster: the spec, the solicit passwords still encrypted, and —
/// while a gateway hands the cluster over to this one — who is leaving and with which members.
/// </summary>
public sealed record ServingSpec(long Version, ClusterSpec Spec, IReadOnlyList<EncryptedRouteSecret> RouteSecrets, PlacementView? Placement,
    HandoverInfo? Handover = null);

/// <summary>A graceful hand-over in progress: the leaving gateway and the server ids of the members it had.</summary>
public sealed record HandoverInfo(string FromGateway, IReadOnlyList<string> Members);

/// <summary>The password of one solicited route (by its index in spec.routes), sealed with the deployment's secrets key.</summary>
public sealed record EncryptedRouteSecret(int RouteIndex, string Ciphertext);

/// <summary>The answer to a lease renewal.</summary>
public sealed record LeaseResult(bool Held, PlacementView? Placement, string Reason);

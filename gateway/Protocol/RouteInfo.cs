using System.Text.Json.Serialization;

namespace Nats.OrleansRoutes.Protocol;

/// <summary>
/// A route INFO (protocol doc §2.2). Every field seen from 2.9.10, 2.10.27 and 2.15.1; unknown
/// fields are ignored when reading. Null fields are not written.
/// </summary>
public sealed record RouteInfo
{
    [JsonPropertyName("server_id")] public string? ServerId { get; init; }
    [JsonPropertyName("server_name")] public string? ServerName { get; init; }
    [JsonPropertyName("version")] public string? Version { get; init; }
    [JsonPropertyName("proto")] public int? Proto { get; init; }
    [JsonPropertyName("go")] public string? Go { get; init; }
    [JsonPropertyName("git_commit")] public string? GitCommit { get; init; }
    [JsonPropertyName("host")] public string? Host { get; init; }
    [JsonPropertyName("port")] public int? Port { get; init; }
    /// <summary>Set only when the server has <c>advertise</c>: <c>nats-route://host:port/</c>.</summary>
    [JsonPropertyName("ip")] public string? Ip { get; init; }
    [JsonPropertyName("headers")] public bool? Headers { get; init; }
    [JsonPropertyName("auth_required")] public bool? AuthRequired { get; init; }
    [JsonPropertyName("tls_required")] public bool? TlsRequired { get; init; }
    [JsonPropertyName("tls_verify")] public bool? TlsVerify { get; init; }
    [JsonPropertyName("max_payload")] public long? MaxPayload { get; init; }
    [JsonPropertyName("jetstream")] public bool? JetStream { get; init; }
    [JsonPropertyName("domain")] public string? Domain { get; init; }
    [JsonPropertyName("nonce")] public string? Nonce { get; init; }
    [JsonPropertyName("cluster")] public string? Cluster { get; init; }
    [JsonPropertyName("cluster_dynamic")] public bool? ClusterDynamic { get; init; }
    [JsonPropertyName("connect_urls")] public IReadOnlyList<string>? ConnectUrls { get; init; }
    [JsonPropertyName("ws_connect_urls")] public IReadOnlyList<string>? WebSocketConnectUrls { get; init; }
    [JsonPropertyName("leafnode_urls")] public IReadOnlyList<string>? LeafNodeUrls { get; init; }
    [JsonPropertyName("gateway_url")] public string? GatewayUrl { get; init; }
    /// <summary>Set in async INFOs that carry gateway bookkeeping; a relay ignores them.</summary>
    [JsonPropertyName("gateway")] public string? Gateway { get; init; }
    [JsonPropertyName("import")] public RoutePermission? Import { get; init; }
    [JsonPropertyName("export")] public RoutePermission? Export { get; init; }
    /// <summary>Lame-duck mode announced in an async INFO.</summary>
    [JsonPropertyName("ldm")] public bool? LameDuckMode { get; init; }
    /// <summary>Understands LS+ and LMSG.</summary>
    [JsonPropertyName("lnoc")] public bool? LeafNodeOriginCluster { get; init; }
    /// <summary>Sends and understands LS- with the origin.</summary>
    [JsonPropertyName("lnocu")] public bool? LeafNodeOriginClusterUnsub { get; init; }
    /// <summary>Sent as true by 2.15.x; meaning not documented (protocol doc §10).</summary>
    [JsonPropertyName("ln")] public bool? Ln { get; init; }
    [JsonPropertyName("compression")] public string? Compression { get; init; }
    /// <summary>Absent: the peer is a pre-2.10 / no-pool route peer.</summary>
    [JsonPropertyName("route_pool_size")] public int? RoutePoolSize { get; init; }
    /// <summary>Slot of this connection in the pool; only in a solicitor's INFO, absent when 0.</summary>
    [JsonPropertyName("route_pool_idx")] public int? RoutePoolIndex { get; init; }
    /// <summary>This connection is dedicated to the account (pinned).</summary>
    [JsonPropertyName("route_account")] public string? RouteAccount { get; init; }
    [JsonPropertyName("route_acc_add_reqid")] public string? RouteAccountAddRequestId { get; init; }
    [JsonPropertyName("gossip_mode")] public int? GossipMode { get; init; }
}

/// <summary>Cluster permissions as announced in INFO (informational for the receiver).</summary>
public sealed record RoutePermission
{
    [JsonPropertyName("allow")] public IReadOnlyList<string>? Allow { get; init; }
    [JsonPropertyName("deny")] public IReadOnlyList<string>? Deny { get; init; }
}

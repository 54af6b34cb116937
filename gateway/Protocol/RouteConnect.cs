using System.Text.Json.Serialization;

namespace Nats.OrleansRoutes.Protocol;

/// <summary>
/// The CONNECT a soliciting route sends (protocol doc §2.3). The client-only fields are modelled
/// because their presence decides the answer: <c>lang</c> means a client dialled the route port,
/// <c>gateway</c> a gateway did, <c>account</c>/<c>new_account</c> are refused.
/// </summary>
public sealed record RouteConnect
{
    [JsonPropertyName("echo")] public bool? Echo { get; init; }
    [JsonPropertyName("verbose")] public bool? Verbose { get; init; }
    [JsonPropertyName("pedantic")] public bool? Pedantic { get; init; }
    [JsonPropertyName("user")] public string? User { get; init; }
    [JsonPropertyName("pass")] public string? Password { get; init; }
    [JsonPropertyName("tls_required")] public bool? TlsRequired { get; init; }
    [JsonPropertyName("headers")] public bool? Headers { get; init; }
    /// <summary>The solicitor's server_id (not its name).</summary>
    [JsonPropertyName("name")] public string? Name { get; init; }
    [JsonPropertyName("cluster")] public string? Cluster { get; init; }
    [JsonPropertyName("cluster_dynamic")] public bool? ClusterDynamic { get; init; }
    [JsonPropertyName("lnoc")] public bool? LeafNodeOriginCluster { get; init; }
    [JsonPropertyName("ln")] public bool? Ln { get; init; }
    [JsonPropertyName("lang")] public string? Lang { get; init; }
    [JsonPropertyName("version")] public string? Version { get; init; }
    [JsonPropertyName("protocol")] public int? Protocol { get; init; }
    [JsonPropertyName("no_responders")] public bool? NoResponders { get; init; }
    [JsonPropertyName("gateway")] public string? Gateway { get; init; }
    [JsonPropertyName("account")] public string? Account { get; init; }
    [JsonPropertyName("new_account")] public bool? NewAccount { get; init; }

    /// <summary>The CONNECT without its password, for logs.</summary>
    public RouteConnect Redacted() => Password is null ? this : this with { Password = "[REDACTED]" };
}

namespace Nats.OrleansRoutes.Config.Cluster;

/// <summary>
/// <c>cluster { authorization { user, password, timeout } }</c>: the one credential pair every
/// route must present. The password may be a bcrypt hash, which stays a hash.
/// </summary>
public sealed record RouteAuthorization
{
    public string? User { get; init; }

    public Secret? Password { get; init; }

    /// <summary>The CONNECT deadline; null means the default (2 s, or TLS timeout + 1 s with TLS).</summary>
    public TimeSpan? Timeout { get; init; }
}

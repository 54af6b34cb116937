namespace Nats.OrleansRoutes.Config.Cluster;

/// <summary>Taking the secrets out of a spec, for storage and display.</summary>
public static class ClusterSpecSecrets
{
    /// <summary>The spec with the route password and every solicit password removed.</summary>
    public static ClusterSpec WithoutSecrets(this ClusterSpec spec) => spec with
    {
        Authorization = spec.Authorization is { } auth ? auth with { Password = null } : null,
        Routes = new EquatableList<RouteUrl>(spec.Routes.Select(r => r with { Password = null })),
    };

    /// <summary>The spec with every secret replaced by <c>[REDACTED]</c> (so a reader still sees that one is set).</summary>
    public static ClusterSpec Redacted(this ClusterSpec spec)
    {
        var redacted = new Secret(Secret.Redacted);
        return spec with
        {
            Authorization = spec.Authorization is { } auth ? auth with { Password = auth.Password is null ? null : redacted } : null,
            Routes = new EquatableList<RouteUrl>(spec.Routes.Select(r => r with { Password = r.Password is null ? null : redacted })),
        };
    }
}

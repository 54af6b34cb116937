namespace Nats.OrleansRoutes.Config.Cluster;

/// <summary><c>cluster { permissions { import, export } }</c>.</summary>
public sealed record ClusterPermissions
{
    public SubjectPermission? Import { get; init; }

    public SubjectPermission? Export { get; init; }
}

/// <summary>Allowed and denied subjects of one direction.</summary>
public sealed record SubjectPermission
{
    public EquatableList<string> Allow { get; init; } = EquatableList<string>.Empty;

    public EquatableList<string> Deny { get; init; } = EquatableList<string>.Empty;
}

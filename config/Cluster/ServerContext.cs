namespace Nats.OrleansRoutes.Config.Cluster;

/// <summary>What the cluster block needs from the rest of the server configuration.</summary>
public sealed record ServerContext
{
    public const string DefaultSystemAccount = "$SYS";

    public string? ServerName { get; init; }

    /// <summary><c>system_account</c>; <c>$SYS</c> when not set.</summary>
    public string SystemAccount { get; init; } = DefaultSystemAccount;

    public bool NoSystemAccount { get; init; }

    /// <summary>Accounts defined in the file's <c>accounts {}</c> block.</summary>
    public EquatableList<string> Accounts { get; init; } = EquatableList<string>.Empty;
}

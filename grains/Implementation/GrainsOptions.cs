using Microsoft.Extensions.Options;

namespace Nats.OrleansRoutes.Grains;

/// <summary>Settings of the grains, given to every silo.</summary>
public sealed class GrainsOptions
{
    /// <summary>
    /// 32 bytes, base64: the key that seals solicit credentials at rest. Every silo and gateway of a
    /// deployment must have the same one. Empty means a random key for this process only (dev mode).
    /// </summary>
    public string SecretsKey { get; set; } = "";

    /// <summary>Clusters a tenant may have unless its own quota says otherwise.</summary>
    public int DefaultTenantQuota { get; set; } = 50;

    /// <summary>How long a gateway's lease on a cluster lasts without renewal.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>A gateway not heard from for this long is no longer a placement candidate.</summary>
    public TimeSpan GatewayTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>PBKDF2-SHA256 iterations for route passwords (they are high-entropy when generated).</summary>
    public int Pbkdf2Iterations { get; set; } = 100_000;

    /// <summary>Imported bcrypt hashes with a higher cost are refused: every verification would take too long.</summary>
    public int MaxBcryptCost { get; set; } = 14;
}

public sealed class GrainsOptionsValidator : IValidateOptions<GrainsOptions>
{
    public ValidateOptionsResult Validate(string? name, GrainsOptions options)
    {
        var problems = new List<string>();
        if (options.SecretsKey.Length > 0 && !Security.SecretBox.IsValidKey(options.SecretsKey))
            problems.Add("SecretsKey must be 32 bytes in base64 (e.g. from: head -c 32 /dev/urandom | base64)");
        if (options.DefaultTenantQuota < 0)
            problems.Add("DefaultTenantQuota must not be negative");
        if (options.LeaseDuration < TimeSpan.FromSeconds(1))
            problems.Add("LeaseDuration must be at least 1 s");
        if (options.GatewayTimeout < TimeSpan.FromSeconds(1))
            problems.Add("GatewayTimeout must be at least 1 s");
        if (options.Pbkdf2Iterations < 10_000)
            problems.Add("Pbkdf2Iterations must be at least 10000");
        if (options.MaxBcryptCost is < 4 or > 31)
            problems.Add("MaxBcryptCost must be between 4 and 31");
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}

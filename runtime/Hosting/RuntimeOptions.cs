using Microsoft.Extensions.Options;

namespace Nats.OrleansRoutes.Runtime.Hosting;

/// <summary>Settings of the grain runtime, shared by silos and clients. Defaults suit a small production deployment.</summary>
public sealed class RuntimeOptions
{
    /// <summary>Address a silo listens on for grain calls (and announces in membership).</summary>
    public string SiloHost { get; set; } = "127.0.0.1";

    /// <summary>Silo port; 0 picks a free port.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>How often a silo writes its heartbeat.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A silo whose heartbeat is older than this is declared dead and its grains move.</summary>
    public TimeSpan DeadAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often every process re-reads the membership table (change events make it sooner).</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a caller waits for a grain call before it fails with a timeout.</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>An activation unused for this long is deactivated.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often idle activations are looked for.</summary>
    public TimeSpan CollectionInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Attempts for one call across "moved" answers and stale-state retries.</summary>
    public int MaxCallAttempts { get; set; } = 5;

    /// <summary>Largest frame accepted on a grain connection.</summary>
    public int MaxFrameBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Prefix of every Redis key and channel, so several deployments can share one Redis.</summary>
    public string KeyPrefix { get; set; } = "natsroutes";
}

/// <summary>Checks <see cref="RuntimeOptions"/> at start-up and reports every problem at once.</summary>
public sealed class RuntimeOptionsValidator : IValidateOptions<RuntimeOptions>
{
    public ValidateOptionsResult Validate(string? name, RuntimeOptions options)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(options.SiloHost))
            problems.Add("SiloHost must be set (the address other processes reach this silo at)");
        if (options.SiloPort is < 0 or > 65535)
            problems.Add($"SiloPort {options.SiloPort} is not a TCP port (0..65535)");
        if (options.HeartbeatInterval <= TimeSpan.Zero)
            problems.Add("HeartbeatInterval must be positive");
        if (options.DeadAfter < options.HeartbeatInterval * 3)
            problems.Add($"DeadAfter ({options.DeadAfter}) must be at least 3 heartbeat intervals ({options.HeartbeatInterval * 3}), or live silos get declared dead");
        if (options.RefreshInterval <= TimeSpan.Zero)
            problems.Add("RefreshInterval must be positive");
        if (options.CallTimeout <= TimeSpan.Zero)
            problems.Add("CallTimeout must be positive");
        if (options.IdleTimeout <= TimeSpan.Zero || options.CollectionInterval <= TimeSpan.Zero)
            problems.Add("IdleTimeout and CollectionInterval must be positive");
        if (options.MaxCallAttempts < 1)
            problems.Add("MaxCallAttempts must be at least 1");
        if (options.MaxFrameBytes < 1024)
            problems.Add("MaxFrameBytes must be at least 1024");
        if (string.IsNullOrWhiteSpace(options.KeyPrefix) || options.KeyPrefix.IndexOfAny(['{', '}', ' ']) >= 0)
            problems.Add($"KeyPrefix \"{options.KeyPrefix}\" must be non-empty, without braces or spaces");
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}

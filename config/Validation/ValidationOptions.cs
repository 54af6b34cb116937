using Nats.OrleansRoutes.Config.Conf;

namespace Nats.OrleansRoutes.Config.Validation;

/// <summary>How to validate a configuration file.</summary>
public sealed record ValidationOptions
{
    public static ValidationOptions Default { get; } = new();

    /// <summary>The verdict is always 2.15.1's; another target adds warnings for options that version does not know.</summary>
    public NatsServerVersion Target { get; init; } = NatsServerVersion.V2_15;

    public ConfReaderOptions Reader { get; init; } = ConfReaderOptions.Default;

    /// <summary>
    /// Where relative certificate paths are resolved. nats-server resolves them from its working
    /// directory, not from the file's directory; null means the current directory.
    /// </summary>
    public string? WorkingDirectory { get; init; }
}

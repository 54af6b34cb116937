namespace Nats.OrleansRoutes.Config.Conf;

/// <summary>A configuration file read into values, or the reason it could not be read.</summary>
public sealed record ConfReadResult(ConfMap? Root, IReadOnlyList<ConfDiagnostic> Diagnostics)
{
    public bool Succeeded => Root is not null && !Diagnostics.Any(d => d.IsError);
}

/// <summary>How to read a configuration file.</summary>
public sealed record ConfReaderOptions
{
    public static ConfReaderOptions Default { get; } = new();

    /// <summary>Where <c>$NAME</c> looks when no enclosing map defines NAME; the process environment by default.</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;

    /// <summary>Includes nested deeper than this are refused (nats-server has no limit and crashes on cycles).</summary>
    public int MaxIncludeDepth { get; init; } = 32;
}

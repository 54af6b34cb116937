namespace Nats.OrleansRoutes.Config.Cluster;

/// <summary>The normalised compression modes (protocol doc §5.1).</summary>
public static class CompressionModes
{
    public const string Off = "off";
    public const string Accept = "accept";
    public const string S2Uncompressed = "s2_uncompressed";
    public const string S2Fast = "s2_fast";
    public const string S2Better = "s2_better";
    public const string S2Best = "s2_best";
    public const string S2Auto = "s2_auto";
    public const string NotSupported = "not supported";
}

/// <summary><c>compression</c>: a mode and, for <c>s2_auto</c>, the RTT thresholds.</summary>
public sealed record CompressionSpec(string Mode, EquatableList<TimeSpan> RttThresholds)
{
    public static readonly EquatableList<TimeSpan> DefaultRttThresholds = new(
        [TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(100)]);

    /// <summary>The default since 2.10.0: do not initiate, compress when the peer asks.</summary>
    public static CompressionSpec Accept { get; } = new(CompressionModes.Accept, EquatableList<TimeSpan>.Empty);

    public static CompressionSpec Off { get; } = new(CompressionModes.Off, EquatableList<TimeSpan>.Empty);
}

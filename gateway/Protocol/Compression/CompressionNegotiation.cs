using static Nats.OrleansRoutes.Config.Cluster.CompressionModes;

namespace Nats.OrleansRoutes.Protocol.Compression;

/// <summary>What one direction of a route writes once negotiation is done.</summary>
public enum OutboundCompression
{
    /// <summary>Plain text: nothing was negotiated.</summary>
    None,
    /// <summary>S2 framing with every chunk stored (what s2_auto uses on fast links).</summary>
    Uncompressed,
    /// <summary>S2 framing with compressed chunks (s2_fast, s2_better, s2_best: one encoder level here).</summary>
    Compressed,
    /// <summary>s2_auto: stored or compressed chunks, chosen from the measured RTT.</summary>
    Auto,
}

/// <summary>The outcome of negotiation on one connection: whether both directions switch to S2, and how this side writes.</summary>
public sealed record CompressionDecision(OutboundCompression Outbound, string AnnouncedMode, string? Error)
{
    public bool Compresses => Outbound != OutboundCompression.None;
}

/// <summary>
/// nats-server's negotiation (protocol doc §5.2): each side decides on the peer's first INFO,
/// both reach the same yes or no, and each compresses its own output at its own level.
/// </summary>
public static class CompressionNegotiation
{
    /// <summary>
    /// Decides for a side configured <paramref name="ownMode"/> (normalised, as in a cluster spec) on
    /// the <c>compression</c> field of the peer's INFO (null when absent).
    /// </summary>
    public static CompressionDecision Decide(string ownMode, string? peerMode)
    {
        if (ownMode is Off or NotSupported)
            return new(OutboundCompression.None, ownMode, null);
        var chosen = peerMode switch
        {
            null or NotSupported or Off => null,
            Accept => ownMode == Accept ? null : ownMode,
            S2Auto => ownMode == Accept ? S2Fast : ownMode,
            S2Uncompressed or S2Fast or S2Better or S2Best => ownMode == Accept ? peerMode : ownMode,
            _ => "",
        };
        if (chosen == "")
            return new(OutboundCompression.None, ownMode, $"unsupported route compression mode \"{peerMode}\"");
        if (chosen is null)
            return new(OutboundCompression.None, ownMode, null);
        var outbound = chosen switch
        {
            S2Uncompressed => OutboundCompression.Uncompressed,
            S2Auto => OutboundCompression.Auto,
            _ => OutboundCompression.Compressed,
        };
        return new(outbound, chosen, null);
    }

    /// <summary>
    /// Whether a peer that announced <paramref name="peerMode"/> to a side that announced
    /// <paramref name="ownMode"/> writes compressed chunks whatever its RTT (s2_fast, s2_better,
    /// s2_best after its own decision), so that a chunk it stored is one that did not shrink.
    /// </summary>
    public static bool PeerAlwaysCompresses(string? peerMode, string ownMode) =>
        peerMode is not null && Decide(peerMode, ownMode).Outbound == OutboundCompression.Compressed;

    /// <summary>
    /// For s2_auto: whether to compress at the measured <paramref name="rtt"/>. At or below the first
    /// threshold chunks are stored; above, compressed (every compressing level is one encoder here).
    /// Before the first RTT measurement, compressed, as nats-server's first flush is. A first
    /// threshold of 0 disables the uncompressed level.
    /// </summary>
    public static bool AutoCompresses(TimeSpan? rtt, IReadOnlyList<TimeSpan> thresholds)
    {
        if (rtt is not { } measured)
            return true;
        var first = thresholds.Count > 0 ? thresholds[0] : TimeSpan.FromMilliseconds(10);
        return first <= TimeSpan.Zero || measured > first;
    }
}

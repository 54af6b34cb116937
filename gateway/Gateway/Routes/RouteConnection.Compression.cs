using Nats.OrleansRoutes.Config.Cluster;
using Nats.OrleansRoutes.Protocol;
using Nats.OrleansRoutes.Protocol.Compression;

namespace Nats.OrleansRoutes.Gateway.Routes;

// S2 compression of a route (protocol doc §5.2, §5.3). Each side decides on the other's first
// INFO; if both compress, the switch is at a byte boundary set by the INFO lines:
// * accepted (the member dialled): the member's first INFO carries its choice; every byte after
//   that INFO's line is S2 both ways; the gateway answers with its INFO (the first S2 it writes) and
//   registers the member on the member's second INFO;
// * dialled (the gateway solicited): the member's INFO on accept decides; the gateway sends its
//   INFO plain and writes only S2 afterwards, reads S2 from the byte after the member's INFO,
//   registers on the member's second (compressed) INFO and then sends its own second INFO.
internal sealed partial class RouteConnection
{
    private bool _negotiated;
    private CompressionDecision? _compression;
    private List<ArraySegment<byte>>? _plainBeforeSwitch;
    private S2StreamReader? _inflate;
    private S2ChunkLog? _inflatedChunks;
    private bool _peerAlwaysCompresses;

    /// <summary>The negotiated mode this side writes ("off" when nothing was negotiated).</summary>
    public string Compression => _compression is { Compresses: true } c ? c.AnnouncedMode : CompressionModes.Off;

    /// <summary>Compressed bytes read and what they decoded to (0 when the route is not compressed).</summary>
    public (long Wire, long Decoded) CompressedIn => _inflate is { } inflate ? (inflate.BytesIn, inflate.BytesOut) : (0, 0);

    /// <summary>Whether the spec lets this connection negotiate compression at all.</summary>
    private bool MayCompress => _server.Spec.Compression.Mode is not (CompressionModes.Off or CompressionModes.NotSupported);

    /// <summary>The mode this gateway announces before deciding: the spec's (no field for "not supported", as nats-server).</summary>
    private string? AnnouncedCompression() =>
        _server.Spec.Compression.Mode == CompressionModes.NotSupported ? null : _server.Spec.Compression.Mode;

    /// <summary>
    /// On the member's first INFO: decide. Null when the route stays plain (the INFO then registers
    /// it); otherwise the outcome of switching or refusing.
    /// </summary>
    private Outcome? NegotiateCompression(RouteInfo info)
    {
        if (_negotiated)
            return null;
        _negotiated = true;
        var decision = CompressionNegotiation.Decide(_server.Spec.Compression.Mode, info.Compression);
        if (decision.Error is { } error)
        {
            CloseAfterErr(error, $"the member asked for {error}");
            return Outcome.Close;
        }
        // The member decides as this side does, from its mode and the one we announce.
        _peerAlwaysCompresses = decision.Compresses && CompressionNegotiation.PeerAlwaysCompresses(info.Compression, decision.AnnouncedMode);
        if (!decision.Compresses)
        {
            if (Solicited is not null && MayCompress)
            {
                WriteInfo(); // held back until the member's INFO; the route stays plain
                ScheduleSend();
            }
            return null;
        }
        lock (Out.Gate)
        {
            // Dialled: our INFO goes out plain and is the last plain byte. Accepted: our INFO answers
            // and is the first S2. Either way what is queued now was written before the switch.
            if (Solicited is not null)
                WriteInfo(decision.AnnouncedMode);
            _plainBeforeSwitch = Out.TakeAll();
            _compression = decision;
            _server.S2LinkOpened(); // after the decision is visible, so Close counts it down
            if (Solicited is null)
                WriteInfo(decision.AnnouncedMode);
        }
        ScheduleSend();
        return Outcome.Compress;
    }

    /// <summary>
    /// A dialled, compressed route, as its member's second INFO arrives: our second INFO (which
    /// registers the route at the member) goes first, before the interest registration writes.
    /// </summary>
    private void BeforeRegistering()
    {
        if (Solicited is null || _compression is not { Compresses: true } decision)
            return;
        WriteInfo(decision.AnnouncedMode);
        ScheduleSend();
    }

    /// <summary>What the sender sends next: bytes written before the switch as they are, later ones as one S2 stream.</summary>
    private List<ArraySegment<byte>> TakeForSend(Hub.Batch? lender = null)
    {
        List<ArraySegment<byte>> segments;
        PassedChunks s2;
        CompressionDecision? compression;
        lock (Out.Gate)
        {
            if (_plainBeforeSwitch is { } plain)
            {
                _plainBeforeSwitch = null;
                if (plain.Count > 0)
                    return plain;
                Out.Release(plain);
            }
            segments = Out.TakeAll(lender);
            s2 = Out.TakeS2();
            compression = _compression;
        }
        if (compression is not { Compresses: true } || segments.Count == 0)
            return segments;
        var (plainBefore, wireBefore) = (Out.CompressedIn, Out.CompressedOut);
        var stream = Out.Compress(segments, CompressesChunks(compression), s2);
        Count("out", Out.CompressedIn - plainBefore, Out.CompressedOut - wireBefore);
        if (s2.Wire > 0)
            _server.Metrics.CompressionPassed.Add(s2.Wire);
        return stream;
    }

    /// <summary>
    /// Whether what this side writes now goes in compressed chunks (s2_auto decides by the RTT, and
    /// below its first threshold stores them, as s2_uncompressed does).
    /// </summary>
    private bool CompressesChunks(CompressionDecision? compression) => compression switch
    {
        not { Compresses: true } => false,
        { Outbound: OutboundCompression.Uncompressed } => false,
        { Outbound: OutboundCompression.Auto } => CompressionNegotiation.AutoCompresses(Rtt,
            _server.Spec.Compression.RttThresholds is { Count: > 0 } t ? t : CompressionSpec.DefaultRttThresholds),
        _ => true,
    };

    /// <summary>Counts one batch of S2 on the wire and its plain bytes, per direction.</summary>
    private void Count(string direction, long plain, long wire)
    {
        var metric = _server.Metrics.CompressionBytes;
        metric.Add(plain, new KeyValuePair<string, object?>("direction", direction), new KeyValuePair<string, object?>("form", "plain"));
        metric.Add(wire, new KeyValuePair<string, object?>("direction", direction), new KeyValuePair<string, object?>("form", "wire"));
    }
}

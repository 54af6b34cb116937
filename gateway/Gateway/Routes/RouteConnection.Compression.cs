using Nats.OrleansRoutes.Protocol;
using Nats.OrleansRoutes.Protocol.Compression;

namespace Nats.OrleansRoutes.Gateway.Routes;

// S2 compression of an accepted route (protocol doc §5.3, the accepting side): the member's first
// INFO carries its choice; if both sides compress, every byte after that INFO's line is S2 in both
// directions. The gateway answers with its INFO, compressed, and registers the member on its
// second INFO. Routes the gateway dials announce "off" (their switch is not implemented yet).
internal sealed partial class RouteConnection
{
    private bool _negotiated;
    private CompressionDecision? _compression;
    private List<ArraySegment<byte>>? _plainBeforeSwitch;
    private S2StreamReader? _inflate;

    /// <summary>The negotiated mode this side writes ("off" when nothing was negotiated).</summary>
    public string Compression => _compression is { Compresses: true } c ? c.AnnouncedMode : CompressionNegotiation.Off;

    /// <summary>Compressed bytes read and what they decoded to (0 when the route is not compressed).</summary>
    public (long Wire, long Decoded) CompressedIn => _inflate is { } inflate ? (inflate.BytesIn, inflate.BytesOut) : (0, 0);

    /// <summary>The mode this gateway announces on the connection: the spec's, or off where no switch is implemented.</summary>
    private string? AnnouncedCompression() =>
        Solicited is not null ? CompressionNegotiation.Off
        : _server.Spec.Compression.Mode == CompressionNegotiation.NotSupported ? null
        : _server.Spec.Compression.Mode;

    /// <summary>
    /// On the member's first INFO of an accepted connection: decide. Null when the route stays
    /// plain (the INFO then registers it); otherwise the outcome of switching or refusing.
    /// </summary>
    private Outcome? NegotiateCompression(RouteInfo info)
    {
        if (_negotiated || Solicited is not null)
            return null;
        _negotiated = true;
        var decision = CompressionNegotiation.Decide(_server.Spec.Compression.Mode, info.Compression);
        if (decision.Error is { } error)
        {
            CloseAfterErr(error, $"the member asked for {error}");
            return Outcome.Close;
        }
        if (!decision.Compresses)
            return null;
        lock (Out.Gate)
        {
            // What is queued was written before the switch and goes out plain; the INFO after it is the first S2.
            var plain = Out.TakeAll();
            _plainBeforeSwitch = plain;
            _compression = decision;
            RouteWriter.WriteInfo(Out, RouteJson.Serialize(_server.Info() with { Compression = decision.AnnouncedMode }));
        }
        ScheduleSend();
        return Outcome.Compress;
    }

    /// <summary>What the sender sends next: bytes written before the switch as they are, later ones as one S2 stream.</summary>
    private List<ArraySegment<byte>> TakeForSend()
    {
        List<ArraySegment<byte>> segments;
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
            segments = Out.TakeAll();
            compression = _compression;
        }
        if (compression is not { Compresses: true } || segments.Count == 0)
            return segments;
        var chunks = compression.Outbound switch
        {
            OutboundCompression.Uncompressed => false,
            OutboundCompression.Auto => CompressionNegotiation.AutoCompresses(Rtt, _server.Spec.Compression.RttThresholds is { Count: > 0 } t
                ? t
                : Config.Cluster.CompressionSpec.DefaultRttThresholds),
            _ => true,
        };
        return Out.Compress(segments, chunks);
    }
}

using System.Buffers;

namespace Nats.OrleansRoutes.Protocol;

/// <summary>
/// One parsed operation. Every span points into the parser's input (or, for a control line
/// that crossed a segment boundary, into the parser's scratch buffer) and stays valid until the
/// next call to <see cref="RouteParser.TryParse"/>. <see cref="Payload"/> is a slice of the input
/// sequence: message bodies are never copied by the parser.
/// </summary>
public ref struct RouteOp
{
    public RouteOp(RouteOpKind kind) => Kind = kind;

    // The parser fills an op in place (no temporary copy of this large struct per message).

    public RouteOpKind Kind { readonly get; internal set; }

    /// <summary>The text after the verb of INFO, CONNECT and -ERR (JSON or the quoted error).</summary>
    public ReadOnlySpan<byte> Arguments { readonly get; internal set; }

    /// <summary>Leaf origin cluster of LS+, LS- (when present) and LMSG.</summary>
    public ReadOnlySpan<byte> Origin { readonly get; internal set; }

    /// <summary>Account of the op; on a pinned connection the pinned account (absent on the wire).</summary>
    public ReadOnlySpan<byte> Account { readonly get; internal set; }

    public ReadOnlySpan<byte> Subject { readonly get; internal set; }

    /// <summary>Queue group of RS+/RS-/LS+/LS- (empty for plain interest).</summary>
    public ReadOnlySpan<byte> Queue { readonly get; internal set; }

    /// <summary>Queue weight of RS+/LS+ with a queue; 1 when the wire value is not a number, as nats-server counts it.</summary>
    public int Weight { readonly get; internal set; }

    /// <summary>Reply subject of a message (empty when none).</summary>
    public ReadOnlySpan<byte> Reply { readonly get; internal set; }

    /// <summary>Queue groups named in a message (after <c>+ reply</c> or <c>|</c>).</summary>
    public QueueNames Queues { readonly get; internal set; }

    /// <summary>Header bytes at the start of the payload (HMSG, LMSG); 0 for RMSG.</summary>
    public int HeaderSize { readonly get; internal set; }

    /// <summary>Total payload size (headers included).</summary>
    public int Size { readonly get; internal set; }

    /// <summary>The payload bytes (without the trailing CR LF), sliced from the input.</summary>
    public ReadOnlySequence<byte> Payload { readonly get; internal set; }

    /// <summary>True for RMSG, HMSG and LMSG.</summary>
    public readonly bool IsMessage => Kind is RouteOpKind.Msg or RouteOpKind.HMsg or RouteOpKind.LMsg;

    /// <summary>True for RS+ and LS+.</summary>
    public readonly bool IsSubscribe => Kind is RouteOpKind.Sub or RouteOpKind.LeafSub;

    /// <summary>True for RS- and LS-.</summary>
    public readonly bool IsUnsubscribe => Kind is RouteOpKind.Unsub or RouteOpKind.LeafUnsub;
}

using System.Buffers;

namespace Nats.OrleansRoutes.Protocol;

/// <summary>
/// One parsed operation. Every span points into the parser's input (or, for a control line
/// that crossed a segment boundary, into the parser's scratch buffer) and stays valid until the
/// next call to <see cref="RouteParser.TryParse"/>. <see cref="Payload"/> is a slice of the input
/// sequence: message bodies are never copied by the parser.
/// </summary>
public readonly ref struct RouteOp
{
    public RouteOp(RouteOpKind kind) => Kind = kind;

    public RouteOpKind Kind { get; init; }

    /// <summary>The text after the verb of INFO, CONNECT and -ERR (JSON or the quoted error).</summary>
    public ReadOnlySpan<byte> Arguments { get; init; }

    /// <summary>Leaf origin cluster of LS+, LS- (when present) and LMSG.</summary>
    public ReadOnlySpan<byte> Origin { get; init; }

    /// <summary>Account of the op; on a pinned connection the pinned account (absent on the wire).</summary>
    public ReadOnlySpan<byte> Account { get; init; }

    public ReadOnlySpan<byte> Subject { get; init; }

    /// <summary>Queue group of RS+/RS-/LS+/LS- (empty for plain interest).</summary>
    public ReadOnlySpan<byte> Queue { get; init; }

    /// <summary>Queue weight of RS+/LS+ with a queue; 1 when the wire value is not a number, as nats-server counts it.</summary>
    public int Weight { get; init; }

    /// <summary>Reply subject of a message (empty when none).</summary>
    public ReadOnlySpan<byte> Reply { get; init; }

    /// <summary>Queue groups named in a message (after <c>+ reply</c> or <c>|</c>).</summary>
    public QueueNames Queues { get; init; }

    /// <summary>Header bytes at the start of the payload (HMSG, LMSG); 0 for RMSG.</summary>
    public int HeaderSize { get; init; }

    /// <summary>Total payload size (headers included).</summary>
    public int Size { get; init; }

    /// <summary>The payload bytes (without the trailing CR LF), sliced from the input.</summary>
    public ReadOnlySequence<byte> Payload { get; init; }

    /// <summary>True for RMSG, HMSG and LMSG.</summary>
    public bool IsMessage => Kind is RouteOpKind.Msg or RouteOpKind.HMsg or RouteOpKind.LMsg;

    /// <summary>True for RS+ and LS+.</summary>
    public bool IsSubscribe => Kind is RouteOpKind.Sub or RouteOpKind.LeafSub;

    /// <summary>True for RS- and LS-.</summary>
    public bool IsUnsubscribe => Kind is RouteOpKind.Unsub or RouteOpKind.LeafUnsub;
}

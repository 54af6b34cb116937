namespace Nats.OrleansRoutes.Protocol;

/// <summary>The operations a route connection carries (protocol doc §0).</summary>
public enum RouteOpKind : byte
{
    None = 0,
    Info,
    Connect,
    Ping,
    Pong,
    Ok,
    Err,
    /// <summary><c>RS+</c>: the peer gained interest in a subject (plain or queue).</summary>
    Sub,
    /// <summary><c>RS-</c>: the peer lost interest.</summary>
    Unsub,
    /// <summary><c>LS+</c>: interest that came from a leafnode cluster (has an origin).</summary>
    LeafSub,
    /// <summary><c>LS-</c>: leaf-origin interest removed (origin present only when the peer announced <c>lnocu</c>).</summary>
    LeafUnsub,
    /// <summary><c>RMSG</c>.</summary>
    Msg,
    /// <summary><c>HMSG</c>: message with a header block.</summary>
    HMsg,
    /// <summary><c>LMSG</c>: leaf-origin message; always carries a header size.</summary>
    LMsg,
    /// <summary><c>A+</c>: parsed for framing, ignored on routes.</summary>
    AccountSub,
    /// <summary><c>A-</c>: parsed for framing, ignored on routes.</summary>
    AccountUnsub,
}

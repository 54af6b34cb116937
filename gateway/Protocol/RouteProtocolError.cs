namespace Nats.OrleansRoutes.Protocol;

/// <summary>Why the parser stopped. Every kind closes the connection.</summary>
public enum RouteProtocolErrorKind : byte
{
    None = 0,
    /// <summary>Unknown verb or broken framing: nats-server answers <c>-ERR 'Unknown Protocol Operation'</c>.</summary>
    UnknownOperation,
    /// <summary>Control line longer than the limit: <c>-ERR 'maximum control line exceeded'</c>.</summary>
    MaxControlLineExceeded,
    /// <summary>Wrong argument count or bad size in RS±/LS±/RMSG/HMSG/LMSG: closed without -ERR.</summary>
    BadArguments,
    /// <summary>Payload larger than the configured bound: <c>-ERR 'Maximum Payload Violation'</c>.</summary>
    MaxPayloadExceeded,
}

/// <summary>A protocol violation with the <c>-ERR</c> text nats-server sends for it (if any).</summary>
public readonly record struct RouteProtocolError(RouteProtocolErrorKind Kind, string Detail)
{
    /// <summary>The text to send as <c>-ERR '…'</c> before closing, or null to close silently.</summary>
    public string? ErrText => Kind switch
    {
        RouteProtocolErrorKind.UnknownOperation => "Unknown Protocol Operation",
        RouteProtocolErrorKind.MaxControlLineExceeded => "maximum control line exceeded",
        RouteProtocolErrorKind.MaxPayloadExceeded => "Maximum Payload Violation",
        _ => null,
    };

    public override string ToString() => Detail;
}

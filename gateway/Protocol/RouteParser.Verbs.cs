namespace Nats.OrleansRoutes.Protocol;

public sealed partial class RouteParser
{
    /// <summary>
    /// Matches the verb at the start of a control line the way nats-server's state machine does
    /// for a route connection, and returns where the arguments start. SUB/UNSUB/PUB/HPUB/MSG are
    /// client verbs and are refused here (nats-server tolerates some of them on routes; no server
    /// sends them).
    /// </summary>
    internal static RouteOpKind MatchVerb(ReadOnlySpan<byte> line, out int argStart)
    {
        argStart = 0;
        if (line.IsEmpty)
            return RouteOpKind.None;
        switch (Ascii.Upper(line[0]))
        {
            case (byte)'P':
                if (Is(line, 1, "ING"))
                    return RouteOpKind.Ping;
                if (Is(line, 1, "ONG"))
                    return RouteOpKind.Pong;
                return RouteOpKind.None;
            case (byte)'+':
                return Is(line, 1, "OK") ? RouteOpKind.Ok : RouteOpKind.None;
            case (byte)'-':
                return Is(line, 1, "ERR") ? WithBlank(line, 4, RouteOpKind.Err, ref argStart) : RouteOpKind.None;
            case (byte)'C':
                return Is(line, 1, "ONNECT") ? AfterBlanks(line, 7, RouteOpKind.Connect, ref argStart) : RouteOpKind.None;
            case (byte)'I':
                return Is(line, 1, "NFO") ? AfterBlanks(line, 4, RouteOpKind.Info, ref argStart) : RouteOpKind.None;
            case (byte)'R':
                return MatchSubOrMsg(line, RouteOpKind.Sub, RouteOpKind.Unsub, RouteOpKind.Msg, ref argStart);
            case (byte)'L':
                return MatchSubOrMsg(line, RouteOpKind.LeafSub, RouteOpKind.LeafUnsub, RouteOpKind.LMsg, ref argStart);
            case (byte)'H':
                return Is(line, 1, "MSG") ? WithBlank(line, 4, RouteOpKind.HMsg, ref argStart) : RouteOpKind.None;
            case (byte)'A':
                // nats-server takes '+' for A+, and '-' or a lower-case 'u' for A-.
                if (line.Length > 1 && line[1] == (byte)'+')
                    return WithBlank(line, 2, RouteOpKind.AccountSub, ref argStart);
                if (line.Length > 1 && line[1] is (byte)'-' or (byte)'u')
                    return WithBlank(line, 2, RouteOpKind.AccountUnsub, ref argStart);
                return RouteOpKind.None;
            default:
                return RouteOpKind.None;
        }
    }

    /// <summary>RS+ / RS- / RMSG, or LS+ / LS- / LMSG: the first letter is already matched.</summary>
    private static RouteOpKind MatchSubOrMsg(ReadOnlySpan<byte> line, RouteOpKind sub, RouteOpKind unsub,
        RouteOpKind msg, ref int argStart)
    {
        if (line.Length < 3)
            return RouteOpKind.None;
        var second = Ascii.Upper(line[1]);
        if (second == (byte)'S')
        {
            return line[2] switch
            {
                (byte)'+' => WithBlank(line, 3, sub, ref argStart),
                (byte)'-' => WithBlank(line, 3, unsub, ref argStart),
                _ => RouteOpKind.None,
            };
        }
        if (second == (byte)'M' && Is(line, 2, "SG"))
            return WithBlank(line, 4, msg, ref argStart);
        return RouteOpKind.None;
    }

    /// <summary>Case-insensitive match of upper-case ASCII <paramref name="rest"/> at <paramref name="at"/>.</summary>
    private static bool Is(ReadOnlySpan<byte> line, int at, string rest)
    {
        if (line.Length < at + rest.Length)
            return false;
        for (var i = 0; i < rest.Length; i++)
        {
            if (Ascii.Upper(line[at + i]) != rest[i])
                return false;
        }
        return true;
    }

    /// <summary>The verb must be followed by at least one space or tab; then blanks are skipped.</summary>
    private static RouteOpKind WithBlank(ReadOnlySpan<byte> line, int verbLength, RouteOpKind kind, ref int argStart)
    {
        if (line.Length <= verbLength || !Ascii.IsBlank(line[verbLength]))
            return RouteOpKind.None;
        return AfterBlanks(line, verbLength, kind, ref argStart);
    }

    private static RouteOpKind AfterBlanks(ReadOnlySpan<byte> line, int verbLength, RouteOpKind kind, ref int argStart)
    {
        var i = verbLength;
        while (i < line.Length && Ascii.IsBlank(line[i]))
            i++;
        argStart = i;
        return kind;
    }
}

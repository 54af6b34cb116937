using System.Buffers;

namespace Nats.OrleansRoutes.Protocol;

/// <summary>Outcome of one <see cref="RouteParser.TryParse"/> call.</summary>
public enum ParseStatus : byte
{
    /// <summary>An op was parsed and the buffer advanced past it.</summary>
    Op,
    /// <summary>The buffer holds no complete op; read more and call again with the same start.</summary>
    NeedMoreData,
    /// <summary>Protocol violation; see <see cref="RouteParser.LastError"/>. The connection must close.</summary>
    Error,
}

/// <summary>
/// Incremental parser for one route connection. It never buffers input itself: the caller keeps
/// the unconsumed bytes (a pipe does this) and calls again with more. Ops are parsed in place;
/// only a control line that crosses a segment boundary is copied, into a reused scratch buffer.
/// Verbs are matched as nats-server matches them: case-insensitive, byte by byte; PING, PONG and
/// +OK ignore anything up to the line end; the other verbs need a space or tab before their
/// arguments except CONNECT and INFO, whose arguments may follow at once.
/// </summary>
public sealed partial class RouteParser
{
    private byte[] _scratch = [];

    public RouteParser(RouteParserSettings? settings = null) => Settings = settings ?? RouteParserSettings.Default;

    /// <summary>Per-connection settings; replace them when the handshake reveals a pinned account or <c>lnocu</c>.</summary>
    public RouteParserSettings Settings { get; set; }

    /// <summary>The violation behind the last <see cref="ParseStatus.Error"/>.</summary>
    public RouteProtocolError LastError { get; private set; }

    /// <summary>
    /// Parses the op at the start of <paramref name="buffer"/>. On <see cref="ParseStatus.Op"/>
    /// the buffer is advanced past it; otherwise it is left unchanged.
    /// </summary>
    public ParseStatus TryParse(ref ReadOnlySequence<byte> buffer, out RouteOp op)
    {
        op = default;
        if (buffer.IsEmpty)
            return ParseStatus.NeedMoreData;

        if (!TryReadLine(buffer, out var line, out var lf, out var afterLine, out var status))
            return status;
        if (line.Length > 0 && line[^1] == Ascii.Cr)
            line = line[..^1];

        var kind = MatchVerb(line, out var argStart);
        if (kind == RouteOpKind.None)
            return Fail(RouteProtocolErrorKind.UnknownOperation, "unknown protocol operation");
        var args = argStart < line.Length ? line[argStart..] : [];

        switch (kind)
        {
            case RouteOpKind.Ping or RouteOpKind.Pong or RouteOpKind.Ok:
                op = new RouteOp(kind);
                break;
            case RouteOpKind.Info or RouteOpKind.Connect or RouteOpKind.Err:
                op = new RouteOp(kind) { Arguments = args };
                break;
            case RouteOpKind.AccountSub or RouteOpKind.AccountUnsub:
                op = new RouteOp(kind) { Account = TrimSeparators(args) };
                break;
            case RouteOpKind.Sub or RouteOpKind.LeafSub:
                if (!TryParseSub(kind, args, out op))
                    return ParseStatus.Error;
                break;
            case RouteOpKind.Unsub or RouteOpKind.LeafUnsub:
                if (!TryParseUnsub(kind, args, out op))
                    return ParseStatus.Error;
                break;
            default:
                return TryParseMessage(kind, args, ref buffer, lf, afterLine, ref op);
        }
        buffer = lf >= 0 ? buffer.Slice(lf + 1) : buffer.Slice(afterLine);
        return ParseStatus.Op;
    }

    /// <summary>
    /// Finds the control line; copies it to scratch only when it spans segments. When the line is
    /// in the first segment <paramref name="lf"/> is its line feed's index there (and
    /// <paramref name="afterLine"/> is not set); otherwise <paramref name="lf"/> is -1.
    /// </summary>
    private bool TryReadLine(in ReadOnlySequence<byte> buffer, out ReadOnlySpan<byte> line, out int lf,
        out SequencePosition afterLine, out ParseStatus status)
    {
        var max = Settings.MaxControlLine;
        var first = buffer.FirstSpan;
        lf = first.IndexOf(Ascii.Lf);
        afterLine = default;
        if (lf >= 0)
        {
            line = first[..lf];
        }
        else
        {
            var at = buffer.IsSingleSegment ? null : buffer.PositionOf(Ascii.Lf);
            if (at is null)
            {
                line = default;
                afterLine = default;
                // A line that has already outgrown the limit will never become valid.
                status = buffer.Length > max + 1
                    ? Fail(RouteProtocolErrorKind.MaxControlLineExceeded, $"control line longer than {max} bytes without a line end")
                    : ParseStatus.NeedMoreData;
                return false;
            }
            var lineSeq = buffer.Slice(0, at.Value);
            if (lineSeq.Length > max + 1)
            {
                line = default;
                afterLine = default;
                status = Fail(RouteProtocolErrorKind.MaxControlLineExceeded, $"control line of {lineSeq.Length} bytes exceeds {max}");
                return false;
            }
            var length = (int)lineSeq.Length;
            if (_scratch.Length < length)
                _scratch = new byte[Math.Max(length, Math.Min(max + 1, Math.Max(256, _scratch.Length * 2)))];
            lineSeq.CopyTo(_scratch);
            line = _scratch.AsSpan(0, length);
            afterLine = buffer.GetPosition(1, at.Value);
        }

        // The limit counts the line without its CR.
        var effective = line.Length > 0 && line[^1] == Ascii.Cr ? line.Length - 1 : line.Length;
        if (effective > max)
        {
            status = Fail(RouteProtocolErrorKind.MaxControlLineExceeded, $"control line of {effective} bytes exceeds {max}");
            return false;
        }
        status = ParseStatus.Op;
        return true;
    }

    private ParseStatus Fail(RouteProtocolErrorKind kind, string detail)
    {
        LastError = new RouteProtocolError(kind, detail);
        return ParseStatus.Error;
    }

    private static ReadOnlySpan<byte> TrimSeparators(ReadOnlySpan<byte> s)
    {
        var start = 0;
        while (start < s.Length && Ascii.IsSeparator(s[start]))
            start++;
        var end = s.Length;
        while (end > start && Ascii.IsSeparator(s[end - 1]))
            end--;
        return s[start..end];
    }
}

using System.Buffers;

namespace Nats.OrleansRoutes.Protocol;

public sealed partial class RouteParser
{
    // Field layouts (protocol doc §3.1). "acct" is absent on a pinned connection, where the op
    // belongs to the pinned account; nats-server then re-inserts the account before counting, so
    // the counts below include it in both cases.

    /// <summary>RS+ / LS+: [origin] acct subject [queue weight].</summary>
    private bool TryParseSub(RouteOpKind kind, ReadOnlySpan<byte> args, out RouteOp op)
    {
        op = default;
        var f = new ArgumentFields(args);
        var origin = kind == RouteOpKind.LeafSub ? 1 : 0;
        var pinned = Settings.PinnedAccountUtf8;
        var account = pinned is null ? 1 : 0;
        var subjectAt = origin + account;
        if (f.Count == subjectAt + 1)
        {
            op = new RouteOp(kind)
            {
                Origin = origin == 1 ? f[0] : default,
                Account = pinned is null ? f[origin] : pinned,
                Subject = f[subjectAt],
            };
            return true;
        }
        if (f.Count == subjectAt + 3 && subjectAt + 2 < ArgumentFields.LeadCapacity)
        {
            var weight = Ascii.ParseSize(f[subjectAt + 2]);
            op = new RouteOp(kind)
            {
                Origin = origin == 1 ? f[0] : default,
                Account = pinned is null ? f[origin] : pinned,
                Subject = f[subjectAt],
                Queue = f[subjectAt + 1],
                Weight = weight < 1 ? 1 : weight,
            };
            return true;
        }
        return BadArguments(kind, args);
    }

    /// <summary>RS- / LS-: [origin] acct subject [queue]; LS- has the origin only when the peer announced lnocu.</summary>
    private bool TryParseUnsub(RouteOpKind kind, ReadOnlySpan<byte> args, out RouteOp op)
    {
        op = default;
        var f = new ArgumentFields(args);
        var origin = kind == RouteOpKind.LeafUnsub && Settings.LeafUnsubHasOrigin ? 1 : 0;
        var pinned = Settings.PinnedAccountUtf8;
        var account = pinned is null ? 1 : 0;
        var subjectAt = origin + account;
        if (f.Count != subjectAt + 1 && f.Count != subjectAt + 2)
            return BadArguments(kind, args);
        op = new RouteOp(kind)
        {
            Origin = origin == 1 ? f[0] : default,
            Account = pinned is null ? f[origin] : pinned,
            Subject = f[subjectAt],
            Queue = f.Count == subjectAt + 2 ? f[subjectAt + 1] : default,
        };
        return true;
    }

    /// <summary>
    /// RMSG: acct subject [reply | + reply q… | | q…] size.
    /// HMSG: the same with a header size before the size. LMSG: origin first, always a header size.
    /// </summary>
    private ParseStatus TryParseMessage(RouteOpKind kind, ReadOnlySpan<byte> args, ref ReadOnlySequence<byte> buffer,
        int lf, SequencePosition afterLine, ref RouteOp op)
    {
        // op is already zeroed by TryParse.
        var f = new ArgumentFields(args);
        var pinned = Settings.PinnedAccountUtf8;
        var origin = kind == RouteOpKind.LMsg ? 1 : 0;
        var hasHeader = kind != RouteOpKind.Msg;
        // Logical field count with the account counted even when pinned.
        var count = f.Count + (pinned is null ? 0 : 1);
        var sizes = hasHeader ? 2 : 1;
        var minimum = origin + 2 + sizes; // [origin] acct subject sizes…
        if (count < minimum)
            return BadArgumentsStatus(kind, args);

        // Physical index of a logical field (the account is virtual when pinned).
        int At(int logical) => pinned is null || logical < origin ? logical : logical - 1;
        var subject = f[At(origin + 1)];
        var account = pinned is null ? f[origin] : (ReadOnlySpan<byte>)pinned;
        ReadOnlySpan<byte> reply = default;
        var queues = default(QueueNames);
        var marker = origin + 2;
        if (count == minimum + 1)
        {
            reply = f[At(marker)];
        }
        else if (count > minimum + 1)
        {
            if (At(marker) >= ArgumentFields.LeadCapacity - 1)
                return BadArgumentsStatus(kind, args);
            var indicator = f[At(marker)];
            if (indicator.Length != 1 || indicator[0] is not ((byte)'+' or (byte)'|'))
                return BadArgumentsStatus(kind, args);
            var firstQueue = At(marker) + 1;
            if (indicator[0] == (byte)'+')
            {
                reply = f[firstQueue];
                firstQueue++;
            }
            var region = f.Region(firstQueue, sizes + 1, out var queueCount);
            queues = new QueueNames(region, queueCount);
        }

        var size = Ascii.ParseSize(f.FromEnd(1));
        var headerSize = hasHeader ? Ascii.ParseSize(f.FromEnd(2)) : 0;
        if (size < 0 || headerSize < 0 || headerSize > size)
            return BadArgumentsStatus(kind, args);
        if (size > Settings.MaxPayload)
            return Fail(RouteProtocolErrorKind.MaxPayloadExceeded, $"payload of {size} bytes exceeds the limit of {Settings.MaxPayload}");

        ReadOnlySequence<byte> payload;
        if (lf >= 0 && buffer.First is var first && lf + 1 + size + 2 <= first.Length)
        {
            // The usual case: line, payload and CR LF in the first segment; no sequence walking.
            var end = lf + 1 + size;
            var span = first.Span;
            if (span[end] != Ascii.Cr || span[end + 1] != Ascii.Lf)
                return Fail(RouteProtocolErrorKind.UnknownOperation, "message payload not followed by CR LF");
            payload = new ReadOnlySequence<byte>(first.Slice(lf + 1, size));
            buffer = buffer.Slice(end + 2);
        }
        else
        {
            var rest = lf >= 0 ? buffer.Slice(lf + 1) : buffer.Slice(afterLine);
            if (rest.Length < size + 2L)
                return ParseStatus.NeedMoreData;
            Span<byte> crlf = stackalloc byte[2];
            rest.Slice(size, 2).CopyTo(crlf);
            if (crlf[0] != Ascii.Cr || crlf[1] != Ascii.Lf)
                return Fail(RouteProtocolErrorKind.UnknownOperation, "message payload not followed by CR LF");
            payload = rest.Slice(0, size);
            buffer = rest.Slice(size + 2);
        }

        op.Kind = kind;
        if (origin == 1)
            op.Origin = f[0];
        op.Account = account;
        op.Subject = subject;
        op.Reply = reply;
        op.Queues = queues;
        op.HeaderSize = headerSize;
        op.Size = size;
        op.Payload = payload;
        return ParseStatus.Op;
    }

    private bool BadArguments(RouteOpKind kind, ReadOnlySpan<byte> args)
    {
        BadArgumentsStatus(kind, args);
        return false;
    }

    private ParseStatus BadArgumentsStatus(RouteOpKind kind, ReadOnlySpan<byte> args)
    {
        const int shown = 128;
        var text = System.Text.Encoding.UTF8.GetString(args.Length > shown ? args[..shown] : args);
        return Fail(RouteProtocolErrorKind.BadArguments, $"{RouteOpNames.Of(kind)} parse error: '{text}'");
    }
}

using System.Buffers;
using System.Text;

namespace Nats.OrleansRoutes.Protocol;

/// <summary>
/// Writes route ops straight into an <see cref="IBufferWriter{T}"/> (a PipeWriter in the gateway),
/// in the exact form servers emit: upper-case verbs, one space between fields, CR LF. An empty
/// <c>account</c> means a pinned connection, where ops carry no account field.
/// </summary>
public static class RouteWriter
{
    private static ReadOnlySpan<byte> Crlf => "\r\n"u8;

    /// <summary>Payloads up to this size are written with their control line in one span.</summary>
    private const int InlinePayloadMax = 4096;

    public static void WritePing(IBufferWriter<byte> writer) => writer.Write("PING\r\n"u8);

    public static void WritePong(IBufferWriter<byte> writer) => writer.Write("PONG\r\n"u8);

    public static void WriteOk(IBufferWriter<byte> writer) => writer.Write("+OK\r\n"u8);

    /// <summary><c>-ERR 'text'</c>; the text is what nats-server would send (see <see cref="RouteProtocolError.ErrText"/>).</summary>
    public static void WriteErr(IBufferWriter<byte> writer, string text)
    {
        var w = new LineWriter(writer, 8 + Encoding.UTF8.GetMaxByteCount(text.Length));
        w.Put("-ERR '"u8);
        w.PutUtf8(text);
        w.Put("'\r\n"u8);
        w.Commit();
    }

    /// <summary><c>INFO json</c> (servers add a space before CR LF in initial INFOs; both forms are read alike).</summary>
    public static void WriteInfo(IBufferWriter<byte> writer, ReadOnlySpan<byte> json) => WriteJsonOp(writer, "INFO "u8, json);

    public static void WriteConnect(IBufferWriter<byte> writer, ReadOnlySpan<byte> json) => WriteJsonOp(writer, "CONNECT "u8, json);

    /// <summary><c>RS+ [acct] subject [queue weight]</c>.</summary>
    public static void WriteSub(IBufferWriter<byte> writer, ReadOnlySpan<byte> account, ReadOnlySpan<byte> subject,
        ReadOnlySpan<byte> queue = default, int weight = 1) =>
        WriteInterest(writer, "RS+ "u8, default, account, subject, queue, queue.IsEmpty ? -1 : weight);

    /// <summary><c>RS- [acct] subject [queue]</c>.</summary>
    public static void WriteUnsub(IBufferWriter<byte> writer, ReadOnlySpan<byte> account, ReadOnlySpan<byte> subject,
        ReadOnlySpan<byte> queue = default) =>
        WriteInterest(writer, "RS- "u8, default, account, subject, queue, -1);

    /// <summary><c>LS+ origin [acct] subject [queue weight]</c>.</summary>
    public static void WriteLeafSub(IBufferWriter<byte> writer, ReadOnlySpan<byte> origin, ReadOnlySpan<byte> account,
        ReadOnlySpan<byte> subject, ReadOnlySpan<byte> queue = default, int weight = 1) =>
        WriteInterest(writer, "LS+ "u8, origin, account, subject, queue, queue.IsEmpty ? -1 : weight);

    /// <summary><c>LS- [origin] [acct] subject [queue]</c>; pass an origin only to a peer that announced lnocu.</summary>
    public static void WriteLeafUnsub(IBufferWriter<byte> writer, ReadOnlySpan<byte> origin, ReadOnlySpan<byte> account,
        ReadOnlySpan<byte> subject, ReadOnlySpan<byte> queue = default) =>
        WriteInterest(writer, "LS- "u8, origin, account, subject, queue, -1);

    /// <summary>
    /// <c>RMSG [acct] subject [reply | + reply q… | | q…] size</c> and the payload. <paramref name="queues"/>
    /// holds the queue names separated by single spaces (empty for none).
    /// </summary>
    public static void WriteMsg(IBufferWriter<byte> writer, ReadOnlySpan<byte> account, ReadOnlySpan<byte> subject,
        ReadOnlySpan<byte> reply, ReadOnlySpan<byte> queues, in ReadOnlySequence<byte> payload) =>
        WriteMessage(writer, "RMSG "u8, default, account, subject, reply, queues, -1, payload);

    /// <summary><c>HMSG</c>: like <see cref="WriteMsg"/> with the header size before the total size.</summary>
    public static void WriteHMsg(IBufferWriter<byte> writer, ReadOnlySpan<byte> account, ReadOnlySpan<byte> subject,
        ReadOnlySpan<byte> reply, ReadOnlySpan<byte> queues, int headerSize, in ReadOnlySequence<byte> payload) =>
        WriteMessage(writer, "HMSG "u8, default, account, subject, reply, queues, headerSize, payload);

    /// <summary><c>LMSG origin</c>: always carries a header size (0 when there are no headers).</summary>
    public static void WriteLMsg(IBufferWriter<byte> writer, ReadOnlySpan<byte> origin, ReadOnlySpan<byte> account,
        ReadOnlySpan<byte> subject, ReadOnlySpan<byte> reply, ReadOnlySpan<byte> queues, int headerSize,
        in ReadOnlySequence<byte> payload) =>
        WriteMessage(writer, "LMSG "u8, origin, account, subject, reply, queues, headerSize, payload);

    private static void WriteJsonOp(IBufferWriter<byte> writer, ReadOnlySpan<byte> verb, ReadOnlySpan<byte> json)
    {
        var w = new LineWriter(writer, verb.Length + json.Length + 2);
        w.Put(verb);
        w.Put(json);
        w.Put(Crlf);
        w.Commit();
    }

    private static void WriteInterest(IBufferWriter<byte> writer, ReadOnlySpan<byte> verb, ReadOnlySpan<byte> origin,
        ReadOnlySpan<byte> account, ReadOnlySpan<byte> subject, ReadOnlySpan<byte> queue, int weight)
    {
        var w = new LineWriter(writer, verb.Length + origin.Length + account.Length + subject.Length + queue.Length + 20);
        w.Put(verb);
        w.PutField(origin);
        w.PutField(account);
        w.Put(subject);
        if (!queue.IsEmpty)
        {
            w.Put((byte)' ');
            w.Put(queue);
            if (weight >= 0)
            {
                w.Put((byte)' ');
                w.PutNumber(weight);
            }
        }
        w.Put(Crlf);
        w.Commit();
    }

    private static void WriteMessage(IBufferWriter<byte> writer, ReadOnlySpan<byte> verb, ReadOnlySpan<byte> origin,
        ReadOnlySpan<byte> account, ReadOnlySpan<byte> subject, ReadOnlySpan<byte> reply, ReadOnlySpan<byte> queues,
        int headerSize, in ReadOnlySequence<byte> payload)
    {
        var size = checked((int)payload.Length);
        var line = verb.Length + origin.Length + account.Length + subject.Length + reply.Length + queues.Length + 32;
        // A small payload goes into the line's span: one reservation and one advance per op.
        var inline = size <= InlinePayloadMax && payload.IsSingleSegment;
        var w = new LineWriter(writer, inline ? line + size + 2 : line);
        w.Put(verb);
        w.PutField(origin);
        w.PutField(account);
        w.Put(subject);
        w.Put((byte)' ');
        if (!queues.IsEmpty)
        {
            if (reply.IsEmpty)
            {
                w.Put("| "u8);
            }
            else
            {
                w.Put("+ "u8);
                w.PutField(reply);
            }
            w.PutField(queues);
        }
        else
        {
            w.PutField(reply);
        }
        if (headerSize >= 0)
        {
            w.PutNumber(headerSize);
            w.Put((byte)' ');
        }
        w.PutNumber(size);
        w.Put(Crlf);
        if (inline)
        {
            w.Put(payload.FirstSpan);
            w.Put(Crlf);
            w.Commit();
            return;
        }
        w.Commit();

        foreach (var segment in payload)
            writer.Write(segment.Span);
        writer.Write(Crlf);
    }

    /// <summary>Fills one span obtained from the writer; the size hint must cover the whole line.</summary>
    private ref struct LineWriter
    {
        private readonly IBufferWriter<byte> _writer;
        private readonly Span<byte> _span;
        private int _length;

        public LineWriter(IBufferWriter<byte> writer, int sizeHint)
        {
            _writer = writer;
            _span = writer.GetSpan(sizeHint);
            _length = 0;
        }

        public void Put(byte b) => _span[_length++] = b;

        public void Put(ReadOnlySpan<byte> bytes)
        {
            bytes.CopyTo(_span[_length..]);
            _length += bytes.Length;
        }

        /// <summary>Writes the field and a space, or nothing when the field is empty.</summary>
        public void PutField(ReadOnlySpan<byte> field)
        {
            if (field.IsEmpty)
                return;
            Put(field);
            Put((byte)' ');
        }

        public void PutUtf8(string text) => _length += Encoding.UTF8.GetBytes(text, _span[_length..]);

        public void PutNumber(int value)
        {
            value.TryFormat(_span[_length..], out var written, default, System.Globalization.CultureInfo.InvariantCulture);
            _length += written;
        }

        public readonly void Commit() => _writer.Advance(_length);
    }
}

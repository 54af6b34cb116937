using System.Buffers;
using System.Text;
using Nats.OrleansRoutes.Protocol;

namespace Nats.OrleansRoutes.Tests.Protocol.Codec;

/// <summary>A parsed op as one comparable line of text, so op lists can be compared with Assert.Equal.</summary>
internal static class OpText
{
    public static string Describe(in RouteOp op)
    {
        var sb = new StringBuilder(RouteOpNames.Of(op.Kind));
        switch (op.Kind)
        {
            case RouteOpKind.Info or RouteOpKind.Connect or RouteOpKind.Err:
                sb.Append(" args=").Append(S(op.Arguments).TrimEnd());
                break;
            case RouteOpKind.Sub or RouteOpKind.Unsub or RouteOpKind.LeafSub or RouteOpKind.LeafUnsub:
                Field(sb, "origin", op.Origin);
                Field(sb, "acct", op.Account);
                Field(sb, "subj", op.Subject);
                Field(sb, "queue", op.Queue);
                if (op.Kind is RouteOpKind.Sub or RouteOpKind.LeafSub && !op.Queue.IsEmpty)
                    sb.Append(" weight=").Append(op.Weight);
                break;
            case RouteOpKind.Msg or RouteOpKind.HMsg or RouteOpKind.LMsg:
                Field(sb, "origin", op.Origin);
                Field(sb, "acct", op.Account);
                Field(sb, "subj", op.Subject);
                Field(sb, "reply", op.Reply);
                sb.Append(" queues=[");
                var first = true;
                foreach (var q in op.Queues)
                {
                    sb.Append(first ? "" : ",").Append(S(q));
                    first = false;
                }
                sb.Append("] hdr=").Append(op.HeaderSize).Append(" size=").Append(op.Size);
                sb.Append(" payload=").Append(Encoding.UTF8.GetString(op.Payload.ToArray()));
                break;
        }
        return sb.ToString();
    }

    public static string S(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);

    private static void Field(StringBuilder sb, string name, ReadOnlySpan<byte> value)
    {
        if (!value.IsEmpty)
            sb.Append(' ').Append(name).Append('=').Append(S(value));
    }

    /// <summary>Parses every op of a buffer; stops at the first error or when more data is needed.</summary>
    public static (List<string> Ops, ParseStatus Last, RouteProtocolError Error, long Remaining) ParseAll(
        ReadOnlySequence<byte> buffer, RouteParserSettings settings)
    {
        var parser = new RouteParser(settings);
        var ops = new List<string>();
        while (true)
        {
            var status = parser.TryParse(ref buffer, out var op);
            if (status != ParseStatus.Op)
                return (ops, status, parser.LastError, buffer.Length);
            ops.Add(Describe(op));
        }
    }
}

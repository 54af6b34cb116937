using System.Buffers;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Nats.OrleansRoutes.Protocol;
using Nats.OrleansRoutes.TestKit;

namespace Nats.OrleansRoutes.Tests.Protocol.Codec;

/// <summary>Writing an op and parsing it back gives the same op, for generated ops and for every captured one.</summary>
public sealed class RoundTripTests
{
    public static TheoryData<string, string> Streams => TranscriptStreams.All();

    [Theory]
    [MemberData(nameof(Streams))]
    public void Every_captured_op_survives_write_then_parse(string file, string marker)
    {
        var t = Transcript.Load(file);
        var settings = TranscriptStreams.SettingsFor(t, marker);
        var buffer = new ReadOnlySequence<byte>(t.Bytes(marker));
        var parser = new RouteParser(settings);
        var written = new ArrayBufferWriter<byte>();
        var originals = new List<string>();
        while (parser.TryParse(ref buffer, out var op) == ParseStatus.Op)
        {
            originals.Add(OpText.Describe(op));
            Write(written, op, settings.PinnedAccount is not null, settings.LeafUnsubHasOrigin);
        }

        var (reparsed, last, _, remaining) = OpText.ParseAll(new ReadOnlySequence<byte>(written.WrittenMemory), settings);
        Assert.Equal(originals, reparsed);
        Assert.Equal(ParseStatus.NeedMoreData, last);
        Assert.Equal(0, remaining);
    }

    [Fact]
    public void Generated_ops_survive_write_then_parse()
    {
        var property = Prop.ForAll(Arb.From(GeneratedOp()), g =>
        {
            var settings = new RouteParserSettings { PinnedAccount = g.Pinned ? g.Account : null, LeafUnsubHasOrigin = true };
            var writer = new ArrayBufferWriter<byte>();
            var account = g.Pinned ? [] : Encoding.UTF8.GetBytes(g.Account);
            g.Write(writer, account);
            var (ops, last, _, remaining) = OpText.ParseAll(new ReadOnlySequence<byte>(writer.WrittenMemory), settings);
            return ops.Count == 1 && ops[0] == g.Expected && last == ParseStatus.NeedMoreData && remaining == 0;
        });
        Check.One(FsCheck.Config.QuickThrowOnFailure.WithMaxTest(500), property);
    }

    [Fact]
    public void Messages_are_written_in_the_servers_exact_forms()
    {
        var w = new ArrayBufferWriter<byte>();
        var payload = new ReadOnlySequence<byte>("q-2"u8.ToArray());
        RouteWriter.WriteMsg(w, "$G"u8, "svc"u8, "rep.x"u8, "qs"u8, payload);
        RouteWriter.WriteMsg(w, "$G"u8, "svc"u8, default, "qs"u8, payload);
        RouteWriter.WriteMsg(w, "$G"u8, "svc"u8, "rep.x"u8, default, payload);
        RouteWriter.WriteMsg(w, default, "fwdA.x"u8, default, default, payload);
        RouteWriter.WriteSub(w, "$G"u8, "work"u8, "q1"u8, 2);
        RouteWriter.WriteUnsub(w, "$G"u8, "work"u8, "q1"u8);
        RouteWriter.WriteLeafUnsub(w, default, "$G"u8, "leaf.sub"u8);
        RouteWriter.WriteErr(w, "Unknown Protocol Operation");
        Assert.Equal(
            "RMSG $G svc + rep.x qs 3\r\nq-2\r\n" +
            "RMSG $G svc | qs 3\r\nq-2\r\n" +
            "RMSG $G svc rep.x 3\r\nq-2\r\n" +
            "RMSG fwdA.x 3\r\nq-2\r\n" +
            "RS+ $G work q1 2\r\n" +
            "RS- $G work q1\r\n" +
            "LS- $G leaf.sub\r\n" +
            "-ERR 'Unknown Protocol Operation'\r\n",
            Encoding.UTF8.GetString(w.WrittenSpan));
    }

    /// <summary>Re-emits a parsed op through <see cref="RouteWriter"/>.</summary>
    private static void Write(IBufferWriter<byte> w, in RouteOp op, bool pinned, bool lsMinusOrigin)
    {
        var account = pinned ? default : op.Account;
        var queues = Encoding.UTF8.GetBytes(string.Join(' ', QueueList(op.Queues)));
        switch (op.Kind)
        {
            case RouteOpKind.Info: RouteWriter.WriteInfo(w, op.Arguments); break;
            case RouteOpKind.Connect: RouteWriter.WriteConnect(w, op.Arguments); break;
            case RouteOpKind.Ping: RouteWriter.WritePing(w); break;
            case RouteOpKind.Pong: RouteWriter.WritePong(w); break;
            case RouteOpKind.Ok: RouteWriter.WriteOk(w); break;
            case RouteOpKind.Err: w.Write("-ERR "u8); w.Write(op.Arguments); w.Write("\r\n"u8); break;
            case RouteOpKind.Sub: RouteWriter.WriteSub(w, account, op.Subject, op.Queue, op.Weight); break;
            case RouteOpKind.Unsub: RouteWriter.WriteUnsub(w, account, op.Subject, op.Queue); break;
            case RouteOpKind.LeafSub: RouteWriter.WriteLeafSub(w, op.Origin, account, op.Subject, op.Queue, op.Weight); break;
            case RouteOpKind.LeafUnsub: RouteWriter.WriteLeafUnsub(w, lsMinusOrigin ? op.Origin : default, account, op.Subject, op.Queue); break;
            case RouteOpKind.Msg: RouteWriter.WriteMsg(w, account, op.Subject, op.Reply, queues, op.Payload); break;
            case RouteOpKind.HMsg: RouteWriter.WriteHMsg(w, account, op.Subject, op.Reply, queues, op.HeaderSize, op.Payload); break;
            case RouteOpKind.LMsg: RouteWriter.WriteLMsg(w, op.Origin, account, op.Subject, op.Reply, queues, op.HeaderSize, op.Payload); break;
            default: throw new InvalidOperationException(op.Kind.ToString());
        }
    }

    private static List<string> QueueList(QueueNames queues)
    {
        var list = new List<string>();
        foreach (var q in queues)
            list.Add(Encoding.UTF8.GetString(q));
        return list;
    }

    private sealed record GenOp(bool Pinned, string Account, string Expected, Action<IBufferWriter<byte>, byte[]> Write)
    {
        public override string ToString() => Expected + (Pinned ? " (pinned)" : "");
    }

    private static Gen<string> Token(string first) =>
        from head in Gen.Elements(first.ToCharArray())
        from length in Gen.Choose(0, 12)
        from tail in Gen.ArrayOf(Gen.Elements("abcXYZ019_-$.>*".ToCharArray()), length)
        select head + new string(tail);

    private static Gen<GenOp> GeneratedOp()
    {
        var names = Token("abcdefgABC$");
        return from kind in Gen.Choose(0, 5)
               from pinned in Gen.Elements(true, false)
               from account in names
               from subject in names
               from queue in Gen.OneOf(Gen.Constant(""), names)
               from weight in Gen.Choose(1, 500)
               from reply in Gen.OneOf(Gen.Constant(""), names)
               from queueCount in Gen.Choose(0, 9)
               from queues in Gen.ArrayOf(names, queueCount)
               from bodyLength in Gen.Choose(0, 300)
               from body in Gen.ArrayOf(Gen.Elements("ab \r\n\0\xff".ToCharArray()), bodyLength)
               from header in Gen.Choose(0, body.Length)
               select Build(kind, pinned, account, subject, queue, weight, reply, [.. queues], new string(body), header);
    }

    private static GenOp Build(int kind, bool pinned, string account, string subject, string queue, int weight,
        string reply, string[] queues, string body, int header)
    {
        var payload = Encoding.Latin1.GetBytes(body);
        var acct = $" acct={account}";
        var q = Encoding.UTF8.GetBytes(string.Join(' ', queues));
        var s = Encoding.UTF8.GetBytes(subject);
        var qu = Encoding.UTF8.GetBytes(queue);
        var r = Encoding.UTF8.GetBytes(reply);
        var seq = new ReadOnlySequence<byte>(payload);
        var routing = $"{(reply.Length > 0 ? $" reply={reply}" : "")} queues=[{string.Join(',', queues)}]";
        var decoded = Encoding.UTF8.GetString(payload);
        return kind switch
        {
            0 => new GenOp(pinned, account, $"RS+{acct} subj={subject}{(queue.Length > 0 ? $" queue={queue} weight={weight}" : "")}",
                (w, a) => RouteWriter.WriteSub(w, a, s, qu, weight)),
            1 => new GenOp(pinned, account, $"RS-{acct} subj={subject}{(queue.Length > 0 ? $" queue={queue}" : "")}",
                (w, a) => RouteWriter.WriteUnsub(w, a, s, qu)),
            2 => new GenOp(pinned, account, $"RMSG{acct} subj={subject}{routing} hdr=0 size={payload.Length} payload={decoded}",
                (w, a) => RouteWriter.WriteMsg(w, a, s, r, q, seq)),
            3 => new GenOp(pinned, account, $"HMSG{acct} subj={subject}{routing} hdr={header} size={payload.Length} payload={decoded}",
                (w, a) => RouteWriter.WriteHMsg(w, a, s, r, q, header, seq)),
            4 => new GenOp(pinned, account, $"LMSG origin=ORIG{acct} subj={subject}{routing} hdr={header} size={payload.Length} payload={decoded}",
                (w, a) => RouteWriter.WriteLMsg(w, "ORIG"u8, a, s, r, q, header, seq)),
            _ => new GenOp(pinned, account, $"LS+ origin=ORIG{acct} subj={subject}{(queue.Length > 0 ? $" queue={queue} weight={weight}" : "")}",
                (w, a) => RouteWriter.WriteLeafSub(w, "ORIG"u8, a, s, qu, weight)),
        };
    }
}

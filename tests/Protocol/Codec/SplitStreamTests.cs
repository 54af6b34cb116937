using System.Buffers;
using FsCheck;
using FsCheck.Fluent;
using Nats.OrleansRoutes.Protocol;
using Nats.OrleansRoutes.TestKit;

namespace Nats.OrleansRoutes.Tests.Protocol.Codec;

/// <summary>
/// The same bytes give the same ops however the network cuts them: into many segments of one
/// sequence, and arriving piece by piece (the caller keeps what is not yet consumed, as a pipe does).
/// </summary>
public sealed class SplitStreamTests
{
    private static readonly (byte[] Bytes, RouteParserSettings Settings)[] Samples = LoadSamples();

    [Fact]
    public void Segmented_sequences_parse_like_one_contiguous_buffer()
    {
        var property = Prop.ForAll(Arb.From(SampleWithCuts()), sample =>
        {
            var (bytes, settings) = Samples[sample.Index];
            var whole = OpText.ParseAll(new ReadOnlySequence<byte>(bytes), settings);
            var split = OpText.ParseAll(SegmentedSequence.Create(bytes, sample.Cuts), settings);
            return whole.Ops.SequenceEqual(split.Ops) && whole.Last == split.Last && whole.Remaining == split.Remaining;
        });
        Check.One(FsCheck.Config.QuickThrowOnFailure.WithMaxTest(300), property);
    }

    [Fact]
    public void Bytes_arriving_piece_by_piece_parse_like_one_buffer()
    {
        var property = Prop.ForAll(Arb.From(SampleWithCuts()), sample =>
        {
            var (bytes, settings) = Samples[sample.Index];
            var whole = OpText.ParseAll(new ReadOnlySequence<byte>(bytes), settings);
            var incremental = ParseIncrementally(bytes, sample.Cuts, settings);
            return whole.Ops.SequenceEqual(incremental);
        });
        Check.One(FsCheck.Config.QuickThrowOnFailure.WithMaxTest(300), property);
    }

    [Fact]
    public void A_message_split_inside_its_payload_exposes_the_payload_across_segments()
    {
        var bytes = "RMSG $G big.1 + r.1 q1 q2 10\r\n0123456789\r\nPING\r\n"u8.ToArray();
        // Cut inside the control line, inside the payload and inside the trailing CR LF.
        var buffer = SegmentedSequence.Create(bytes, [7, 33, 38, 41]);
        var parser = new RouteParser();

        Assert.Equal(ParseStatus.Op, parser.TryParse(ref buffer, out var op));
        Assert.Equal("RMSG acct=$G subj=big.1 reply=r.1 queues=[q1,q2] hdr=0 size=10 payload=0123456789", OpText.Describe(op));
        Assert.False(op.Payload.IsSingleSegment);
        Assert.Equal(ParseStatus.Op, parser.TryParse(ref buffer, out op));
        Assert.Equal(RouteOpKind.Ping, op.Kind);
        Assert.True(buffer.IsEmpty);
    }

    private sealed record CutSample(int Index, int[] Cuts);

    private static Gen<CutSample> SampleWithCuts() =>
        from index in Gen.Choose(0, Samples.Length - 1)
        from count in Gen.Choose(1, 40)
        from cuts in Gen.ArrayOf(Gen.Choose(1, Math.Max(1, Samples[index].Bytes.Length - 1)), count)
        select new CutSample(index, cuts);

    private static List<string> ParseIncrementally(byte[] bytes, int[] cuts, RouteParserSettings settings)
    {
        var parser = new RouteParser(settings);
        var ops = new List<string>();
        var consumed = 0;
        foreach (var arrived in cuts.Where(c => c > 0 && c < bytes.Length).Distinct().Order().Append(bytes.Length))
        {
            if (arrived <= consumed)
                continue;
            // What the pipe would hand over: everything not yet consumed, in pieces.
            var pending = bytes.AsMemory(consumed, arrived - consumed);
            var inner = cuts.Select(c => c - consumed).Where(c => c > 0 && c < pending.Length);
            var buffer = SegmentedSequence.Create(pending, inner);
            var start = buffer.Length;
            while (parser.TryParse(ref buffer, out var op) == ParseStatus.Op)
                ops.Add(OpText.Describe(op));
            consumed += (int)(start - buffer.Length);
        }
        return ops;
    }

    private static (byte[], RouteParserSettings)[] LoadSamples()
    {
        var names = new[] { "c_session_2.15.1.txt", "c_session_2.10.27.txt", "c_session_2.9.10.txt", "leaf_origin_lnoc_2.15.1.txt",
            "leaf_origin_lnoc_2.9.10.txt", "queue_bounce_2.15.1.txt", "d_misc_errors_2.15.1.txt", "d_unknown_op_2.10.27.txt" };
        var samples = new List<(byte[], RouteParserSettings)>();
        foreach (var name in names)
        {
            var t = Transcript.Load(name);
            foreach (var marker in t.Lines.Keys)
                samples.Add((t.Bytes(marker), TranscriptStreams.SettingsFor(t, marker)));
        }
        return [.. samples];
    }
}

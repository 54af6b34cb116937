using System.Buffers;
using Nats.OrleansRoutes.Protocol;
using Nats.OrleansRoutes.TestKit;

namespace Nats.OrleansRoutes.Tests.Protocol.Codec;

/// <summary>Every byte stream captured from real servers parses op by op as the reference decoder reads it.</summary>
public sealed class TranscriptReplayTests
{
    public static TheoryData<string, string> Streams => TranscriptStreams.All();

    [Theory]
    [MemberData(nameof(Streams))]
    public void Every_op_parses_as_the_reference_reads_it(string file, string marker)
    {
        var t = Transcript.Load(file);
        var settings = TranscriptStreams.SettingsFor(t, marker);
        var (expected, expectedError) = ReferenceDecoder.Decode(t.Lines[marker], settings.PinnedAccount,
            settings.LeafUnsubHasOrigin, settings.MaxControlLine);

        var (actual, last, error, remaining) = OpText.ParseAll(new ReadOnlySequence<byte>(t.Bytes(marker)), settings);

        Assert.Equal(expected, actual);
        Assert.True(expected.Count > 0 || t.Lines[marker].Count == 0, "the reference decoded no op");
        if (expectedError == RouteProtocolErrorKind.None)
        {
            Assert.Equal(ParseStatus.NeedMoreData, last);
            Assert.Equal(0, remaining);
        }
        else
        {
            Assert.Equal(ParseStatus.Error, last);
            Assert.Equal(expectedError, error.Kind);
        }
    }

    [Theory]
    [MemberData(nameof(Streams))]
    public void A_violation_gets_the_err_the_real_server_sent_for_it(string file, string marker)
    {
        var t = Transcript.Load(file);
        var settings = TranscriptStreams.SettingsFor(t, marker);
        var (_, last, error, _) = OpText.ParseAll(new ReadOnlySequence<byte>(t.Bytes(marker)), settings);
        var serverAnswered = marker.StartsWith('F') && t.Lines.ContainsKey(Transcript.Peer(marker));
        if (last != ParseStatus.Error || !serverAnswered)
            return;

        var answers = t.Lines[Transcript.Peer(marker)];
        if (error.ErrText is { } text)
            Assert.Contains($"-ERR '{text}'\r\n", answers);
        else
            Assert.DoesNotContain(answers, a => a.StartsWith("-ERR", StringComparison.Ordinal) && !a.Contains("Invalid Subscription", StringComparison.Ordinal));
    }

    [Fact]
    public void The_replay_covers_every_op_kind_the_hub_relays()
    {
        var seen = new HashSet<string>();
        foreach (var (file, marker) in Streams.Select(row => ((string)row[0], (string)row[1])))
        {
            var t = Transcript.Load(file);
            var (ops, _, _, _) = OpText.ParseAll(new ReadOnlySequence<byte>(t.Bytes(marker)), TranscriptStreams.SettingsFor(t, marker));
            foreach (var op in ops)
                seen.Add(op.Split(' ')[0]);
        }
        Assert.Superset(new HashSet<string> { "INFO", "CONNECT", "PING", "PONG", "+OK", "-ERR", "RS+", "RS-", "LS+", "LS-", "RMSG", "HMSG", "LMSG" }, seen);
    }
}

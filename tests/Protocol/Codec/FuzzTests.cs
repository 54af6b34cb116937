using System.Buffers;
using Nats.OrleansRoutes.Protocol;
using Nats.OrleansRoutes.TestKit;

namespace Nats.OrleansRoutes.Tests.Protocol.Codec;

/// <summary>
/// Random and mutated input never lets an exception escape, always makes progress, and never
/// makes the caller hold more than one control line plus one payload. Seeded and bounded.
/// </summary>
public sealed class FuzzTests
{
    private const int MaxLine = 256;
    private const int MaxPayload = 1024;

    private static readonly RouteParserSettings Small = new() { MaxControlLine = MaxLine, MaxPayload = MaxPayload };

    public static TheoryData<int> Seeds => [1, 2, 3, 4, 5];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Random_bytes(int seed)
    {
        var random = new Random(seed);
        var alphabet = "RSMGHLPINOCTFE+-| \t\r\n$>*.0123456789abq{}\":"u8.ToArray();
        for (var i = 0; i < 2000; i++)
        {
            var data = new byte[random.Next(1, 600)];
            for (var j = 0; j < data.Length; j++)
                data[j] = random.Next(4) == 0 ? (byte)random.Next(256) : alphabet[random.Next(alphabet.Length)];
            Exercise(data, random);
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Mutated_transcripts(int seed)
    {
        var random = new Random(seed);
        var streams = new[] { "c_session_2.15.1.txt", "leaf_origin_lnoc_2.10.27.txt", "queue_bounce_2.9.10.txt" }
            .Select(Transcript.Load)
            .SelectMany(t => t.Lines.Keys.Select(t.Bytes))
            .Where(b => b.Length > 0)
            .ToArray();
        for (var i = 0; i < 600; i++)
        {
            var data = Mutate(streams[random.Next(streams.Length)], random);
            Exercise(data, random);
        }
    }

    [Fact]
    public void An_endless_line_is_refused_once_it_passes_the_limit()
    {
        var parser = new RouteParser(Small);
        var buffer = new ReadOnlySequence<byte>(new byte[MaxLine + 2]);
        Assert.Equal(ParseStatus.Error, parser.TryParse(ref buffer, out _));
        Assert.Equal(RouteProtocolErrorKind.MaxControlLineExceeded, parser.LastError.Kind);
        Assert.Equal("maximum control line exceeded", parser.LastError.ErrText);
    }

    [Fact]
    public void A_payload_above_the_limit_is_refused_before_it_arrives()
    {
        var parser = new RouteParser(Small);
        var buffer = new ReadOnlySequence<byte>("RMSG $G foo 1025\r\n"u8.ToArray());
        Assert.Equal(ParseStatus.Error, parser.TryParse(ref buffer, out _));
        Assert.Equal(RouteProtocolErrorKind.MaxPayloadExceeded, parser.LastError.Kind);
    }

    private static void Exercise(byte[] data, Random random)
    {
        var cuts = Enumerable.Range(0, random.Next(0, 6)).Select(_ => random.Next(1, Math.Max(2, data.Length)));
        var buffer = SegmentedSequence.Create(data, cuts);
        var parser = new RouteParser(Small);
        while (true)
        {
            var before = buffer.Length;
            var status = parser.TryParse(ref buffer, out var op);
            if (status == ParseStatus.Op)
            {
                Assert.True(buffer.Length < before, "an op must consume input");
                Assert.True(op.Size <= MaxPayload);
                continue;
            }
            if (status == ParseStatus.Error)
                Assert.NotEqual(RouteProtocolErrorKind.None, parser.LastError.Kind);
            else
                Assert.True(buffer.Length <= MaxLine + 2 + MaxPayload + 2, $"holding {buffer.Length} bytes while waiting");
            return;
        }
    }

    private static readonly byte[] Inserts = "0123456789 \r\n+|"u8.ToArray();

    private static byte[] Mutate(byte[] source, Random random)
    {
        var data = new List<byte>(source);
        var edits = random.Next(1, 8);
        for (var e = 0; e < edits && data.Count > 0; e++)
        {
            var at = random.Next(data.Count);
            switch (random.Next(4))
            {
                case 0: data[at] = (byte)random.Next(256); break;
                case 1: data.RemoveAt(at); break;
                case 2: data.Insert(at, Inserts[random.Next(Inserts.Length)]); break;
                default: data.RemoveRange(at, Math.Min(random.Next(1, 40), data.Count - at)); break;
            }
        }
        return [.. data];
    }
}

using System.Buffers;
using System.Text;
using Nats.OrleansRoutes.Gateway.Routes;
using Nats.OrleansRoutes.Protocol.Compression;
using Nats.OrleansRoutes.TestKit;

namespace Nats.OrleansRoutes.Tests.Unit.Gateway;

/// <summary>
/// Compressed chunks a member sent, passed unchanged to another compressing member: the stream the
/// gateway writes must decode to exactly the relayed bytes, in order, and carry the member's chunks
/// byte for byte where a run covered them whole.
/// </summary>
public sealed class S2PassThroughTests
{
    [Fact]
    public void A_run_over_whole_chunks_sends_those_chunks_unchanged_and_decodes_to_the_run()
    {
        // Three flushes of a member, one stream each (as nats-server writes them).
        string[] flushes = [Ops("a", 40), Ops("b", 60), Ops("c", 30)];
        var wire = flushes.Select(f => Stream(Encoding.ASCII.GetBytes(f))).ToArray();
        var (decoded, log) = Inflate(wire.SelectMany(w => w).ToArray());
        Assert.Equal(string.Concat(flushes), Encoding.ASCII.GetString(decoded));

        // The run starts inside the first chunk and covers the other two whole.
        var start = flushes[0].Length / 2;
        var end = decoded.Length;
        var stream = Relay(log, decoded, start, end, out var output, out var passed);

        Assert.Equal(decoded.AsSpan(start, end - start).ToArray(), Decode(stream));
        Assert.True(Contains(stream, wire[1].AsSpan(IdentifierLength)), "the second chunk is passed as it came");
        Assert.True(Contains(stream, wire[2].AsSpan(IdentifierLength)), "the third chunk is passed as it came");
        Assert.False(Contains(stream, wire[0].AsSpan(IdentifierLength)), "the first chunk is only partly in the run");
        Assert.Equal(wire[1].Length + wire[2].Length - 2 * IdentifierLength, passed.Wire);
        Assert.Equal(flushes[1].Length + flushes[2].Length, passed.Decoded);
        Assert.Equal(end - start, output.CompressedIn);
        Assert.Equal(stream.Length, output.CompressedOut);
        Assert.Equal(stream.Length, output.Pending);
    }

    [Fact]
    public void Decoded_bytes_and_passed_chunks_keep_their_order_in_one_stream()
    {
        var middle = Encoding.ASCII.GetBytes(Ops("m", 50));
        var chunk = Stream(middle).AsSpan(IdentifierLength).ToArray();
        var output = new OutboundBuffer();
        lock (output.Gate)
        {
            output.Write("RMSG $G before 2\r\nhi\r\n"u8);
            output.WriteS2(chunk, middle.Length);
            output.Write("RMSG $G after 3\r\nbye\r\n"u8);
        }

        var stream = Send(output);

        var expected = "RMSG $G before 2\r\nhi\r\n"u8.ToArray().Concat(middle).Concat("RMSG $G after 3\r\nbye\r\n"u8.ToArray());
        Assert.Equal(expected, Decode(stream));
        Assert.True(Contains(stream, chunk));
    }

    [Fact]
    public void Chunks_the_reader_has_moved_past_are_no_longer_passed()
    {
        string[] flushes = [Ops("x", 40), Ops("y", 40)];
        var wire = flushes.Select(f => Stream(Encoding.ASCII.GetBytes(f))).ToArray();
        var (decoded, log) = Inflate(wire.SelectMany(w => w).ToArray());
        log.DropBefore(decoded.Length);

        var stream = Relay(log, decoded, 0, decoded.Length, out _, out var passed);

        Assert.Equal(decoded, Decode(stream));
        Assert.False(Contains(stream, wire[1].AsSpan(IdentifierLength)));
        Assert.Equal(0, passed.Wire);
    }

    [Theory]
    [InlineData(true, true, true)] // an s2_fast member stored it: it did not shrink, so it goes stored
    [InlineData(false, true, false)] // an s2_auto member may have stored it for its short RTT: compress it
    [InlineData(false, false, true)] // a link that stores chunks takes a stored chunk as it is
    public void A_stored_chunk_passes_when_the_link_would_store_it_too(bool senderAlwaysCompresses, bool linkCompresses, bool passes)
    {
        var plain = Encoding.ASCII.GetBytes(Ops("s", 40));
        var wire = Stream(plain, compress: false);
        var (decoded, log) = Inflate(wire, senderAlwaysCompresses);

        var stream = Relay(log, decoded, 0, decoded.Length, out _, out var passed, linkCompresses);

        Assert.Equal(plain, Decode(stream));
        Assert.Equal(passes, Contains(stream, wire.AsSpan(IdentifierLength)));
        Assert.Equal(passes ? wire.Length - IdentifierLength : 0, passed.Wire);
    }

    [Fact]
    public void A_compressed_chunk_is_not_passed_to_a_link_that_stores_chunks()
    {
        var plain = Encoding.ASCII.GetBytes(Ops("c", 40));
        var wire = Stream(plain);
        var (decoded, log) = Inflate(wire);

        var stream = Relay(log, decoded, 0, decoded.Length, out _, out var passed, compresses: false);

        Assert.Equal(plain, Decode(stream));
        Assert.Equal(0, passed.Wire);
    }

    [Fact]
    public void Chunks_read_while_no_other_link_is_s2_are_not_kept()
    {
        var plain = Encoding.ASCII.GetBytes(Ops("n", 40));
        var wire = Stream(plain);
        var (decoded, log) = Inflate(wire, wanted: false);

        var stream = Relay(log, decoded, 0, decoded.Length, out _, out var passed);

        Assert.Equal(plain, Decode(stream));
        Assert.Equal(0, passed.Wire);
    }

    private const int IdentifierLength = 10;

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // a stored chunk is rebuilt from its data: the held part, then the reader's segments
    public void A_chunk_cut_by_the_end_of_a_batch_is_passed_when_the_next_batch_continues_the_run(bool stored)
    {
        var (wire, decoded, log, cut, output, carry) = FirstBatchEndsInsideTheSecondChunk(stored);

        // The next batch starts where the first ended and finishes the chunk, in the pipe's segments.
        var rest = decoded.AsMemory(cut);
        var source = SegmentedSequence.Create(rest, [7, rest.Length / 3, rest.Length / 2]);
        var held = (int)(carry.End - carry.Start);
        lock (output.Gate)
            Assert.False(log.CopyRun(carry, source, cut, 0, rest.Length, output, compresses: true, holdBack: true));
        ScribbleOnPooledArrays(held); // an array the output sends from must not be back in the pool

        var stream = Send(output, out var passed);
        Assert.False(carry.Holding);
        Assert.Equal(decoded, Decode(stream));
        Assert.True(Contains(stream, wire[0].AsSpan(IdentifierLength)), "the first chunk is passed as it came");
        Assert.True(Contains(stream, wire[1].AsSpan(IdentifierLength)), "the chunk the first batch cut is passed as it came");
        Assert.Equal(decoded.Length, passed.Decoded);
        Assert.Equal(wire.Sum(w => w.Length - IdentifierLength), passed.Wire);
        Assert.Equal(stream.Length, output.CompressedOut);
        Assert.Equal(stream.Length, output.Pending);
    }

    [Fact]
    public void A_stored_chunk_cut_by_several_batches_is_passed_whole_and_what_follows_is_held_again()
    {
        string[] flushes = [Ops("a", 40), Ops("b", 60), Ops("c", 60)];
        var wire = flushes.Select(f => Stream(Encoding.ASCII.GetBytes(f), compress: false)).ToArray();
        var (decoded, log) = Inflate(wire.SelectMany(w => w).ToArray());
        var secondStart = flushes[0].Length;
        var thirdStart = secondStart + flushes[1].Length;
        // Batches end twice inside the second chunk, then inside the third, then at the end.
        int[] ends = [OpBoundaryAfter(decoded, secondStart + 100), OpBoundaryAfter(decoded, thirdStart - 500),
            OpBoundaryAfter(decoded, thirdStart + 300), decoded.Length];
        var output = new OutboundBuffer();
        var carry = new S2Carry();
        var from = 0;
        foreach (var end in ends)
        {
            var source = SegmentedSequence.Create(decoded.AsMemory(from, end - from), [3, (end - from) / 2]);
            lock (output.Gate)
                Assert.Equal(end < decoded.Length, log.CopyRun(carry, source, from, 0, end - from, output, compresses: true, holdBack: true));
            ScribbleOnPooledArrays(flushes[1].Length);
            from = end;
        }

        var stream = Send(output, out var passed);
        Assert.Equal(decoded, Decode(stream));
        Assert.All(wire, w => Assert.True(Contains(stream, w.AsSpan(IdentifierLength)), "every chunk is passed as it came"));
        Assert.Equal(decoded.Length, passed.Decoded);
        Assert.Equal(stream.Length, output.Pending);
    }

    [Fact]
    public void Held_bytes_go_out_decoded_and_first_when_the_next_batch_does_not_continue_them()
    {
        var (wire, decoded, _, cut, output, carry) = FirstBatchEndsInsideTheSecondChunk();

        // The member's next op went elsewhere; something else is written to this one.
        lock (output.Gate)
        {
            carry.Flush(output);
            output.Write("PING\r\n"u8);
        }

        var stream = Send(output);
        Assert.Equal(decoded.AsSpan(0, cut).ToArray().Concat("PING\r\n"u8.ToArray()), Decode(stream));
        Assert.False(Contains(stream, wire[1].AsSpan(IdentifierLength)));
        Assert.False(carry.Holding);
    }

    [Fact]
    public void Nothing_is_held_when_the_run_began_inside_the_chunk_it_ends_in()
    {
        var flush = Ops("a", 80);
        var (decoded, log) = Inflate(Stream(Encoding.ASCII.GetBytes(flush)));
        var start = OpBoundaryAfter(decoded, flush.Length / 4);
        var end = OpBoundaryAfter(decoded, flush.Length / 2);
        var output = new OutboundBuffer();
        var carry = new S2Carry();

        lock (output.Gate)
            Assert.False(log.CopyRun(carry, new ReadOnlySequence<byte>(decoded), 0, start, end, output, compresses: true, holdBack: true));

        Assert.Equal(decoded.AsSpan(start, end - start).ToArray(), Decode(Send(output)));
    }

    /// <summary>
    /// Two flushes of a member, one chunk each, and a first batch whose run ends inside the second:
    /// its bytes from that chunk's start are held back.
    /// </summary>
    private static (byte[][] Wire, byte[] Decoded, S2ChunkLog Log, int Cut, OutboundBuffer Output, S2Carry Carry) FirstBatchEndsInsideTheSecondChunk(
        bool stored = false)
    {
        string[] flushes = [Ops("a", 40), Ops("b", 60)];
        var wire = flushes.Select(f => Stream(Encoding.ASCII.GetBytes(f), compress: !stored)).ToArray();
        var (decoded, log) = Inflate(wire.SelectMany(w => w).ToArray());
        var cut = OpBoundaryAfter(decoded, flushes[0].Length + flushes[1].Length / 2);
        var output = new OutboundBuffer();
        var carry = new S2Carry();
        lock (output.Gate)
            Assert.True(log.CopyRun(carry, new ReadOnlySequence<byte>(decoded, 0, cut), 0, 0, cut, output, compresses: true, holdBack: true));
        Assert.Equal((flushes[0].Length, cut), (carry.Start, carry.End));
        return (wire, decoded, log, cut, output, carry);
    }

    /// <summary>Rents the shared pool's next array of <paramref name="length"/> bytes, overwrites it and gives it back.</summary>
    private static void ScribbleOnPooledArrays(int length)
    {
        var array = ArrayPool<byte>.Shared.Rent(length);
        array.AsSpan().Fill(0xEE);
        ArrayPool<byte>.Shared.Return(array);
    }

    /// <summary>The offset just after the first op that ends at or after <paramref name="offset"/>.</summary>
    private static int OpBoundaryAfter(byte[] decoded, int offset)
    {
        // Every op of Ops() is a control line and a payload line: two CRLFs.
        var text = Encoding.ASCII.GetString(decoded);
        var lineEnd = text.IndexOf("\r\nRMSG ", offset, StringComparison.Ordinal);
        return lineEnd + 2;
    }

    private static string Ops(string subject, int count) =>
        string.Concat(Enumerable.Range(0, count).Select(i =>
        {
            var payload = $"{{\"id\":{i},\"name\":\"{subject}-{i}\",\"tags\":[\"alpha\",\"beta\"],\"ok\":true}}";
            return $"RMSG $G {subject}.{i % 3} {payload.Length}\r\n{payload}\r\n";
        }));

    private static byte[] Stream(byte[] plain, bool compress = true)
    {
        var writer = new ArrayBufferWriter<byte>();
        S2StreamWriter.Write(new ReadOnlySequence<byte>(plain), writer, compress);
        return writer.WrittenSpan.ToArray();
    }

    private static (byte[] Decoded, S2ChunkLog Log) Inflate(byte[] wire, bool storedMeansIncompressible = true, bool wanted = true)
    {
        var log = new S2ChunkLog(storedMeansIncompressible, () => wanted);
        var decoded = new ArrayBufferWriter<byte>();
        var input = new ReadOnlySequence<byte>(wire);
        new S2StreamReader().Read(ref input, decoded, log);
        Assert.True(input.IsEmpty);
        return (decoded.WrittenSpan.ToArray(), log);
    }

    private static byte[] Relay(S2ChunkLog log, byte[] decoded, int start, int end, out OutboundBuffer output, out PassedChunks passed,
        bool compresses = true)
    {
        output = new OutboundBuffer();
        lock (output.Gate)
            log.CopyRun(new S2Carry(), new ReadOnlySequence<byte>(decoded), 0, start, end, output, compresses, holdBack: false);
        return Send(output, out passed, compresses);
    }

    private static byte[] Send(OutboundBuffer output) => Send(output, out _);

    private static byte[] Send(OutboundBuffer output, out PassedChunks passed, bool compresses = true)
    {
        List<ArraySegment<byte>> taken;
        PassedChunks s2;
        lock (output.Gate)
        {
            taken = output.TakeAll();
            s2 = output.TakeS2();
        }
        passed = s2;
        var stream = output.Compress(taken, compresses, s2);
        var bytes = stream.SelectMany(segment => segment).ToArray();
        return bytes;
    }

    private static byte[] Decode(byte[] stream)
    {
        var decoded = new ArrayBufferWriter<byte>();
        var input = new ReadOnlySequence<byte>(stream);
        new S2StreamReader().Read(ref input, decoded);
        Assert.True(input.IsEmpty);
        return decoded.WrittenSpan.ToArray();
    }

    private static bool Contains(byte[] haystack, ReadOnlySpan<byte> needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}

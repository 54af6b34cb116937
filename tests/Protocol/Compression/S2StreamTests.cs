using System.Buffers;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Nats.OrleansRoutes.Protocol.Compression;
using Nats.OrleansRoutes.TestKit;

namespace Nats.OrleansRoutes.Tests.Protocol.Compression;

/// <summary>
/// The S2 codec of the compressed route direction: the captured vectors, every split of them,
/// round trips through the writer, S2's repeat offsets, and malformed input refused with a reason.
/// </summary>
public sealed class S2StreamTests
{
    public static TheoryData<S2Vector> Vectors => [.. S2Vector.All];

    private static byte[] DecodeAll(ReadOnlySequence<byte> wire)
    {
        var reader = new S2StreamReader();
        var output = new ArrayBufferWriter<byte>();
        reader.Read(ref wire, output);
        Assert.Equal(0, wire.Length); // nothing left: every chunk was complete
        return output.WrittenSpan.ToArray();
    }

    [Fact]
    public void The_fixture_has_the_four_vectors()
    {
        Assert.Equal(["V1", "V2", "V3", "V4"], S2Vector.All.Select(v => v.Name));
        Assert.Equal(2546, S2Vector.All[1].Decoded.Length);
    }

    [Fact]
    public void Crc32c_has_its_check_value_and_the_mask_of_the_captured_ping()
    {
        Assert.Equal(0xE3069283u, S2Crc.Crc32C("123456789"u8));
        Assert.Equal(0x24CC90ABu, S2Crc.Masked("PING\r\n"u8));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(4095)]
    [InlineData(12287)]
    [InlineData(12288)]
    [InlineData(12289)]
    [InlineData(2 * 12288 + 4096 + 13)]
    public void Crc32c_equals_the_crc_bit_by_bit(int length)
    {
        // Short, long and lane-sized inputs against the polynomial worked bit by bit.
        var data = new byte[length];
        new Random(length).NextBytes(data);
        var crc = uint.MaxValue;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
        }
        Assert.Equal(~crc, S2Crc.Crc32C(data));
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void A_captured_vector_decodes_to_its_text(S2Vector vector) =>
        Assert.Equal(Encoding.UTF8.GetString(vector.Decoded), Encoding.UTF8.GetString(DecodeAll(new ReadOnlySequence<byte>(vector.Wire))));

    [Theory]
    [MemberData(nameof(Vectors))]
    public void A_vector_split_at_every_byte_decodes_the_same(S2Vector vector)
    {
        for (var cut = 1; cut < vector.Wire.Length; cut++)
        {
            // As segments of one sequence...
            Assert.Equal(vector.Decoded, DecodeAll(SegmentedSequence.Create(vector.Wire, [cut])));
            // ...and as two reads, the first leaving an incomplete chunk behind.
            var reader = new S2StreamReader();
            var output = new ArrayBufferWriter<byte>();
            var first = new ReadOnlySequence<byte>(vector.Wire, 0, cut);
            reader.Read(ref first, output);
            var rest = new ReadOnlySequence<byte>(vector.Wire, cut - (int)first.Length, vector.Wire.Length - cut + (int)first.Length);
            reader.Read(ref rest, output);
            Assert.Equal(0, rest.Length);
            Assert.Equal(vector.Decoded, output.WrittenSpan.ToArray());
        }
    }

    [Fact]
    public void The_writer_round_trips_compressed_and_stored_with_many_streams_in_a_row()
    {
        var property = Prop.ForAll(Arb.From(Payloads()), payloads =>
        {
            foreach (var compress in new[] { true, false })
            {
                var wire = new ArrayBufferWriter<byte>();
                foreach (var payload in payloads)
                    S2StreamWriter.Write(new ReadOnlySequence<byte>(payload), wire, compress);
                var decoded = DecodeAll(new ReadOnlySequence<byte>(wire.WrittenMemory));
                Assert.Equal(payloads.SelectMany(p => p).ToArray(), decoded);
            }
        });
        Check.One(FsCheck.Config.QuickThrowOnFailure.WithMaxTest(200), property);
    }

    [Fact]
    public void Compressible_data_shrinks_and_large_data_is_cut_into_chunks_of_the_chunk_size()
    {
        var text = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("{\"subject\":\"orders.created\",\"amount\":42}", 80_000)));
        var wire = new ArrayBufferWriter<byte>();
        S2StreamWriter.Write(SegmentedSequence.Create(text, [1000, 700_000, 1_500_000]), wire, compress: true);
        Assert.True(wire.WrittenCount < text.Length / 5, $"{text.Length} bytes became {wire.WrittenCount}");
        Assert.Equal(text, DecodeAll(new ReadOnlySequence<byte>(wire.WrittenMemory)));
        var chunks = Chunks(wire.WrittenSpan);
        Assert.Equal(0xFF, chunks[0].Type);
        Assert.Equal(1 + (text.Length + S2StreamWriter.ChunkSize - 1) / S2StreamWriter.ChunkSize, chunks.Count); // identifier + one chunk per ChunkSize
        Assert.All(chunks.Skip(1), c => Assert.Equal(0x00, c.Type));

        var random = new byte[100_000];
        new Random(7).NextBytes(random);
        var stored = new ArrayBufferWriter<byte>();
        S2StreamWriter.Write(new ReadOnlySequence<byte>(random), stored, compress: true);
        Assert.Equal(0x01, Chunks(stored.WrittenSpan)[1].Type); // incompressible: kept as stored
    }

    [Fact]
    public void A_stored_megabyte_chunk_in_uneven_segments_is_checked_whole_and_a_flipped_byte_anywhere_is_refused()
    {
        // As nats-server sends incompressible data: one stored chunk of 1 MiB, read from a pipe's
        // segments, and checked in slices as it is copied.
        var data = new byte[1024 * 1024];
        new Random(11).NextBytes(data);
        var wire = new byte[10 + 8 + data.Length];
        var writer = new ArrayBufferWriter<byte>();
        S2StreamWriter.WriteIdentifier(writer);
        writer.WrittenSpan.CopyTo(wire);
        S2StreamWriter.StoredChunkHeader(wire.AsSpan(10), data.Length, S2Crc.Masked(data));
        data.CopyTo(wire, 18);
        int[] cuts = [5, 20, 40_000, 40_001, 700_000];

        Assert.Equal(data, DecodeAll(SegmentedSequence.Create(wire, cuts)));
        foreach (var at in new[] { 18, 18 + 32 * 1024, wire.Length - 1 })
        {
            var bad = (byte[])wire.Clone();
            bad[at] ^= 0x40;
            var input = SegmentedSequence.Create(bad, cuts);
            var error = Assert.Throws<S2FormatException>(() => new S2StreamReader().Read(ref input, new ArrayBufferWriter<byte>()));
            Assert.Contains("CRC mismatch", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Repeat_offsets_of_every_length_class_decode()
    {
        // "abcd" literal, copy1 (len 4, off 4), then repeats with length codes 4, 5, 6 and 7.
        var lengths = new[] { 8, 8 + 200, 260 + 1000, 65540 + 70000 };
        var expected = new byte[4 + 4 + lengths.Sum()];
        for (var i = 0; i < expected.Length; i++)
            expected[i] = (byte)"abcd"[i % 4];
        var block = new List<byte>();
        block.AddRange(Uvarint(expected.Length));
        block.AddRange([(3 << 2) | 0, .. "abcd"u8.ToArray()]);
        block.AddRange([(0 << 2) | 1, 4]);
        block.AddRange([(4 << 2) | 1, 0]);
        block.AddRange([(5 << 2) | 1, 0, 200]);
        block.AddRange([(6 << 2) | 1, 0, (byte)(1000 & 0xFF), (byte)(1000 >> 8)]);
        block.AddRange([(7 << 2) | 1, 0, (byte)(70000 & 0xFF), (byte)((70000 >> 8) & 0xFF), (byte)(70000 >> 16)]);
        var output = new byte[expected.Length];
        S2Block.Decode(block.ToArray(), output);
        Assert.Equal(expected, output);
    }

    [Fact]
    public void Copies_of_every_short_offset_decode_with_and_without_room_after_them()
    {
        // The decoder moves 16 or 8 bytes at a time when the copy does not overlap itself closer
        // than that and the block has room after it; this walks both sides of each condition.
        for (var offset = 1; offset <= 40; offset++)
        {
            for (var length = 1; length <= 64; length++)
            {
                foreach (var tail in new[] { 0, 3, 7, 8, 15, 16, 20 })
                {
                    var literal = Enumerable.Range(0, 40).Select(i => (byte)('A' + i)).ToArray();
                    var expected = new List<byte>(literal);
                    for (var i = 0; i < length; i++)
                        expected.Add(expected[^offset]);
                    var after = Enumerable.Range(0, tail).Select(i => (byte)('a' + i)).ToArray();
                    expected.AddRange(after);
                    var block = new List<byte>(Uvarint(expected.Count));
                    block.AddRange([(39 << 2) | 0, .. literal]);
                    block.AddRange([(byte)(((length - 1) << 2) | 2), (byte)offset, 0]);
                    if (tail > 0)
                        block.AddRange([(byte)((tail - 1) << 2), .. after]);
                    var output = new byte[expected.Count];
                    S2Block.Decode(block.ToArray(), output);
                    Assert.True(expected.SequenceEqual(output), $"offset {offset}, length {length}, {tail} bytes after");
                }
            }
        }
    }

    public static TheoryData<string, byte[], string> Malformed
    {
        get
        {
            var ping = S2Vector.All[0].Wire;
            var data = new TheoryData<string, byte[], string>
            {
                { "bad CRC", [.. ping[..^6], 0x50, 0x49, 0x4e, 0x47, 0x0d, 0x0b], "CRC mismatch" },
                { "no identifier", ping[10..], "not a stream identifier" },
                { "bad identifier", [0xff, 0x06, 0, 0, .. "S2sTwX"u8.ToArray()], "neither S2sTwO nor sNaPpY" },
                { "reserved type", [.. ping[..10], 0x05, 0x01, 0x00, 0x00, 0x00], "reserved unskippable chunk type 0x05" },
                { "chunk over the limit", [.. ping[..10], 0x01, 0xff, 0xff, 0xff], "over the limit" },
                { "block over 4 MiB", Stream(0x00, [0, 0, 0, 0, .. Uvarint(S2Block.MaxS2Length + 1), 0]), "the limit is 4194304" },
                { "block over 64 KiB after sNaPpY", Stream(0x00, [0, 0, 0, 0, .. Uvarint(70_000), 0], snappy: true), "the limit is 65536" },
                { "copy before the start", Stream(0x00, [0, 0, 0, 0, .. Uvarint(8), (0 << 2) | 1, 4, 0, 0]), "before the start of the block" },
                { "repeat first", Stream(0x00, [0, 0, 0, 0, .. Uvarint(8), (4 << 2) | 1, 0]), "before any copy" },
                { "literal past the end", Stream(0x00, [0, 0, 0, 0, .. Uvarint(2), (9 << 2) | 0, 1, 2]), "runs past" },
                { "element cut short", Stream(0x00, [0, 0, 0, 0, .. Uvarint(9), (0 << 2) | 2, 1]), "ends inside an element" },
                { "short block", Stream(0x00, [0, 0, 0, 0, .. Uvarint(9), (1 << 2) | 0, 1, 2]), "decoded to 2 bytes but announced 9" },
            };
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_input_is_refused_with_the_reason(string what, byte[] wire, string reason)
    {
        var error = Assert.Throws<S2FormatException>(() => DecodeAll(new ReadOnlySequence<byte>(wire)));
        Assert.True(error.Message.Contains(reason, StringComparison.Ordinal), $"{what}: {error.Message}");
    }

    [Fact]
    public void A_truncated_chunk_waits_for_more_bytes()
    {
        var wire = S2Vector.All[1].Wire;
        var reader = new S2StreamReader();
        var output = new ArrayBufferWriter<byte>();
        var partial = new ReadOnlySequence<byte>(wire, 0, 40);
        reader.Read(ref partial, output);
        Assert.Equal(30, partial.Length); // the identifier was consumed, the data chunk waits
        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public void Mutated_streams_decode_or_are_refused_but_never_throw_anything_else()
    {
        var random = new Random(11);
        var samples = S2Vector.All.Select(v => v.Wire).ToList();
        var compressed = new ArrayBufferWriter<byte>();
        S2StreamWriter.Write(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("RMSG $G a.b 5\r\nhello\r\n", 200)))), compressed, true);
        samples.Add(compressed.WrittenSpan.ToArray());
        for (var i = 0; i < 20_000; i++)
        {
            var wire = (byte[])samples[random.Next(samples.Count)].Clone();
            for (var m = random.Next(1, 4); m > 0; m--)
                wire[random.Next(wire.Length)] = (byte)random.Next(256);
            try
            {
                // A mutated length may leave bytes behind (an incomplete chunk): that is not an error yet.
                var input = new ReadOnlySequence<byte>(wire);
                new S2StreamReader().Read(ref input, new ArrayBufferWriter<byte>());
            }
            catch (S2FormatException)
            {
            }
        }
    }

    private static Gen<byte[][]> Payloads() =>
        from count in Gen.Choose(1, 4)
        from payloads in Gen.ArrayOf(
            from length in Gen.Choose(0, 5000)
            from repetitive in Gen.Elements(true, false)
            from seed in Gen.Choose(0, 1000)
            select Payload(length, repetitive, seed), count)
        select payloads;

    private static byte[] Payload(int length, bool repetitive, int seed)
    {
        var random = new Random(seed);
        var bytes = new byte[length];
        for (var i = 0; i < length; i++)
            bytes[i] = repetitive ? (byte)"RMSG $G orders 3\r\n{}\r\n"[(i + seed) % 22] : (byte)random.Next(256);
        return bytes;
    }

    private static byte[] Uvarint(int value)
    {
        var bytes = new List<byte>();
        var v = (uint)value;
        while (v >= 0x80)
        {
            bytes.Add((byte)(v | 0x80));
            v >>= 7;
        }
        bytes.Add((byte)v);
        return [.. bytes];
    }

    private static byte[] Stream(byte type, byte[] body, bool snappy = false) =>
        [0xff, 0x06, 0, 0, .. (snappy ? "sNaPpY"u8 : "S2sTwO"u8).ToArray(), type, (byte)body.Length, (byte)(body.Length >> 8), (byte)(body.Length >> 16), .. body];

    private static List<(byte Type, int Length)> Chunks(ReadOnlySpan<byte> wire)
    {
        var chunks = new List<(byte, int)>();
        while (wire.Length >= 4)
        {
            var length = wire[1] | (wire[2] << 8) | (wire[3] << 16);
            chunks.Add((wire[0], length));
            wire = wire[(4 + length)..];
        }
        return chunks;
    }
}

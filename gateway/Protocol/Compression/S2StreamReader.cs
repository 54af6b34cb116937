using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;

namespace Nats.OrleansRoutes.Protocol.Compression;

/// <summary>
/// Reads the compressed direction of a route: S2 framing (stream identifier, compressed and
/// uncompressed data chunks with masked CRC-32C, skippable chunks), streams one after another
/// (nats-server starts a new one per flush), the Snappy identifier too. Incremental: complete
/// chunks are decoded, a partial one waits for more bytes. One reader per connection.
/// </summary>
public sealed class S2StreamReader
{
    private const int HeaderBytes = 4;
    private const int CrcBytes = 4;

    /// <summary>
    /// The longest chunk body accepted: a 4 MiB block that did not compress, plus the CRC and slack
    /// for the block header. Anything longer is refused before it is buffered.
    /// </summary>
    public const int MaxChunkBody = S2Block.MaxS2Length + S2Block.MaxS2Length / 6 + 64;

    private static readonly byte[] S2Magic = "S2sTwO"u8.ToArray();
    private static readonly byte[] SnappyMagic = "sNaPpY"u8.ToArray();

    /// <summary>
    /// A stored chunk is copied and checked a slice at a time, each slice added to the CRC while it
    /// is still in the cache: checking a megabyte after copying it reads it from memory again.
    /// </summary>
    private const int CheckSlice = 32 * 1024;

    private readonly Crc32 _crc = new(Crc32ParameterSet.Crc32C);
    private bool _started;
    private int _maxBlock = S2Block.MaxS2Length;

    /// <summary>Compressed bytes consumed so far (what arrived on the wire).</summary>
    public long BytesIn { get; private set; }

    /// <summary>Decoded bytes produced so far.</summary>
    public long BytesOut { get; private set; }

    /// <summary>
    /// Decodes every complete chunk at the start of <paramref name="input"/> into <paramref name="output"/>
    /// and slices them off; what remains is an incomplete chunk. Throws <see cref="S2FormatException"/>
    /// on malformed input (the connection cannot continue). <paramref name="observer"/>, when given,
    /// sees every data chunk after it decoded and passed its CRC check.
    /// </summary>
    public void Read(ref ReadOnlySequence<byte> input, IBufferWriter<byte> output, IS2ChunkObserver? observer = null)
    {
        Span<byte> header = stackalloc byte[HeaderBytes];
        while (input.Length >= HeaderBytes)
        {
            input.Slice(0, HeaderBytes).CopyTo(header);
            var type = header[0];
            var length = header[1] | (header[2] << 8) | (header[3] << 16);
            if (!_started && type != 0xFF)
                throw new S2FormatException($"the stream starts with chunk type 0x{type:x2}, not a stream identifier");
            if (length > MaxChunkBody)
                throw new S2FormatException($"chunk type 0x{type:x2} of {length} bytes is over the limit of {MaxChunkBody}");
            if (input.Length < HeaderBytes + length)
                return;
            var body = input.Slice(HeaderBytes, length);
            switch (type)
            {
                case 0xFF:
                    StreamIdentifier(body);
                    break;
                case 0x00:
                    var decoded = Compressed(body, output);
                    observer?.DataChunk(input.Slice(0, HeaderBytes + length), decoded, compressed: true);
                    break;
                case 0x01:
                    var stored = Uncompressed(body, output);
                    observer?.DataChunk(input.Slice(0, HeaderBytes + length), stored, compressed: false);
                    break;
                case >= 0x02 and <= 0x7F:
                    throw new S2FormatException($"reserved unskippable chunk type 0x{type:x2}");
                default:
                    break; // padding (0xFE) and skippable chunks, e.g. S2's seek index
            }
            input = input.Slice(HeaderBytes + length);
            BytesIn += HeaderBytes + length;
        }
    }

    private void StreamIdentifier(ReadOnlySequence<byte> body)
    {
        Span<byte> magic = stackalloc byte[6];
        if (body.Length != magic.Length)
            throw new S2FormatException($"stream identifier of {body.Length} bytes (expected 6)");
        body.CopyTo(magic);
        if (magic.SequenceEqual(S2Magic))
            _maxBlock = S2Block.MaxS2Length;
        else if (magic.SequenceEqual(SnappyMagic))
            _maxBlock = S2Block.MaxSnappyLength;
        else
            throw new S2FormatException("stream identifier is neither S2sTwO nor sNaPpY");
        _started = true;
    }

    /// <summary>Decodes a compressed chunk; returns its decoded length.</summary>
    private int Compressed(ReadOnlySequence<byte> body, IBufferWriter<byte> output)
    {
        var rented = Contiguous(body, out var chunk);
        try
        {
            if (chunk.Length < CrcBytes + 1)
                throw new S2FormatException($"compressed chunk of {chunk.Length} bytes has no block");
            var block = chunk[CrcBytes..];
            if (!S2Block.TryReadLength(block, out var length, out _) || length > _maxBlock)
                throw new S2FormatException($"compressed chunk announces {length} decoded bytes; the limit is {_maxBlock}");
            var target = output.GetSpan(Math.Max(length, 1))[..length];
            S2Block.Decode(block, target);
            Check(BinaryPrimitives.ReadUInt32LittleEndian(chunk), S2Crc.Masked(target), length);
            output.Advance(length);
            BytesOut += length;
            return length;
        }
        finally
        {
            if (rented is not null)
                ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Copies an uncompressed chunk's data; returns its length.</summary>
    private int Uncompressed(ReadOnlySequence<byte> body, IBufferWriter<byte> output)
    {
        if (body.Length < CrcBytes)
            throw new S2FormatException($"uncompressed chunk of {body.Length} bytes has no CRC");
        var length = (int)body.Length - CrcBytes;
        if (length > _maxBlock)
            throw new S2FormatException($"uncompressed chunk of {length} bytes is over the limit of {_maxBlock}");
        Span<byte> crc = stackalloc byte[CrcBytes];
        body.Slice(0, CrcBytes).CopyTo(crc);
        var target = output.GetSpan(Math.Max(length, 1))[..length];
        _crc.Reset();
        foreach (var segment in body.Slice(CrcBytes))
        {
            for (var data = segment.Span; !data.IsEmpty; data = data[Math.Min(data.Length, CheckSlice)..])
            {
                var slice = target[..Math.Min(data.Length, CheckSlice)];
                data[..slice.Length].CopyTo(slice);
                _crc.Append(slice);
                target = target[slice.Length..];
            }
        }
        Check(BinaryPrimitives.ReadUInt32LittleEndian(crc), S2Crc.Mask(_crc.GetCurrentHashAsUInt32()), length);
        output.Advance(length);
        BytesOut += length;
        return length;
    }

    private static void Check(uint expected, uint actual, int decodedLength)
    {
        if (expected != actual)
            throw new S2FormatException($"CRC mismatch: the chunk says 0x{expected:x8}, its {decodedLength} decoded bytes give 0x{actual:x8}");
    }

    /// <summary>The body as one span; rents a buffer when it spans segments (return it).</summary>
    private static byte[]? Contiguous(ReadOnlySequence<byte> body, out ReadOnlySpan<byte> span)
    {
        if (body.IsSingleSegment)
        {
            span = body.FirstSpan;
            return null;
        }
        var rented = ArrayPool<byte>.Shared.Rent((int)body.Length);
        body.CopyTo(rented);
        span = rented.AsSpan(0, (int)body.Length);
        return rented;
    }
}

/// <summary>Told of each data chunk a <see cref="S2StreamReader"/> decoded (to pass it on unchanged).</summary>
public interface IS2ChunkObserver
{
    /// <param name="wire">The whole chunk as it arrived, header included; valid only during the call.</param>
    /// <param name="decodedLength">The bytes it decoded to.</param>
    /// <param name="compressed">A compressed chunk (type 0x00), not a stored one (0x01).</param>
    void DataChunk(in ReadOnlySequence<byte> wire, int decodedLength, bool compressed);
}

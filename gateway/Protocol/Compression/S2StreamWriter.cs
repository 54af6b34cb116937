using System.Buffers;
using System.Buffers.Binary;
using Snappier;

namespace Nats.OrleansRoutes.Protocol.Compression;

/// <summary>
/// Writes one S2 stream per flush, as nats-server does: the S2 stream identifier, then data chunks
/// with the masked CRC-32C of their uncompressed bytes. Compressed chunks
/// hold Snappy blocks (Snappier), which every S2 reader accepts; a chunk that would not shrink is
/// stored uncompressed. With <c>compress: false</c> every chunk is stored (s2_uncompressed).
/// </summary>
public static class S2StreamWriter
{
    /// <summary>
    /// Uncompressed bytes per chunk: 54 KiB, so that a chunk's worst case (Snappy's bound, 32 + n +
    /// n/6, plus the 8-byte header) fits one 64 KiB pooled segment. nats-server writes 1 MiB blocks,
    /// but readers take any size up to 4 MiB, and contiguous megabyte buffers per send kept a busy
    /// gateway's memory in the gigabytes.
    /// </summary>
    public const int ChunkSize = 54 * 1024;

    private static ReadOnlySpan<byte> Identifier => [0xFF, 0x06, 0x00, 0x00, (byte)'S', (byte)'2', (byte)'s', (byte)'T', (byte)'w', (byte)'O'];

    /// <summary>Appends <paramref name="data"/> to <paramref name="output"/> as one complete stream.</summary>
    public static void Write(ReadOnlySequence<byte> data, IBufferWriter<byte> output, bool compress)
    {
        WriteIdentifier(output);
        WriteChunks(data, output, compress);
    }

    /// <summary>The stream identifier that starts a stream (readers accept it again anywhere).</summary>
    public static void WriteIdentifier(IBufferWriter<byte> output) => output.Write(Identifier);

    /// <summary>Appends <paramref name="data"/> as data chunks of the stream being written.</summary>
    public static void WriteChunks(ReadOnlySequence<byte> data, IBufferWriter<byte> output, bool compress)
    {
        byte[]? rented = null;
        try
        {
            while (!data.IsEmpty)
            {
                var take = (int)Math.Min(data.Length, ChunkSize);
                var piece = data.Slice(0, take);
                ReadOnlySpan<byte> chunk;
                if (piece.IsSingleSegment)
                {
                    chunk = piece.FirstSpan;
                }
                else
                {
                    rented ??= ArrayPool<byte>.Shared.Rent(ChunkSize);
                    piece.CopyTo(rented);
                    chunk = rented.AsSpan(0, take);
                }
                WriteChunk(chunk, output, compress);
                data = data.Slice(take);
            }
        }
        finally
        {
            if (rented is not null)
                ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static void WriteChunk(ReadOnlySpan<byte> chunk, IBufferWriter<byte> output, bool compress)
    {
        var crc = S2Crc.Masked(chunk);
        if (compress)
        {
            var span = output.GetSpan(8 + Snappy.GetMaxCompressedLength(chunk.Length));
            var compressed = Snappy.Compress(chunk, span[8..]);
            // Keep the compressed form only when it saves something worth the reader's work.
            if (compressed < chunk.Length - chunk.Length / 32)
            {
                Header(span, 0x00, 4 + compressed, crc);
                output.Advance(8 + compressed);
                return;
            }
        }
        var stored = output.GetSpan(8 + chunk.Length);
        Header(stored, 0x01, 4 + chunk.Length, crc);
        chunk.CopyTo(stored[8..]);
        output.Advance(8 + chunk.Length);
    }

    /// <summary>The 8 bytes (type, length, masked CRC) before the data of a stored chunk of <paramref name="dataLength"/> bytes.</summary>
    public static void StoredChunkHeader(Span<byte> span, int dataLength, uint maskedCrc) => Header(span, 0x01, 4 + dataLength, maskedCrc);

    private static void Header(Span<byte> span, byte type, int length, uint crc)
    {
        span[0] = type;
        span[1] = (byte)length;
        span[2] = (byte)(length >> 8);
        span[3] = (byte)(length >> 16);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], crc);
    }
}

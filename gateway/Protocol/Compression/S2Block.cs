using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Nats.OrleansRoutes.Protocol.Compression;

/// <summary>
/// Decodes one S2 block: a uvarint of the decoded length, then literals and copies. S2 extends
/// Snappy with repeat offsets (a 1-byte-offset copy with offset 0 reuses the previous offset, with
/// longer lengths), which no Snappy library reads; every Snappy block is also a valid S2 block.
/// </summary>
public static class S2Block
{
    /// <summary>Largest block a stream with the S2 identifier may hold.</summary>
    public const int MaxS2Length = 4 * 1024 * 1024;

    /// <summary>Largest block a stream with the Snappy identifier may hold.</summary>
    public const int MaxSnappyLength = 64 * 1024;

    /// <summary>The decoded length a block announces, and the bytes its header takes; false when the header is malformed.</summary>
    public static bool TryReadLength(ReadOnlySpan<byte> block, out int length, out int headerBytes)
    {
        ulong value = 0;
        for (var i = 0; i < 5 && i < block.Length; i++)
        {
            value |= (ulong)(block[i] & 0x7F) << (7 * i);
            if (block[i] < 0x80)
            {
                headerBytes = i + 1;
                length = value <= int.MaxValue ? (int)value : -1;
                return length >= 0;
            }
        }
        length = headerBytes = 0;
        return false;
    }

    /// <summary>Decodes <paramref name="block"/> into <paramref name="output"/>, whose length must be the announced decoded length.</summary>
    /// <remarks>
    /// Reads and writes through references: every element's bounds are checked once, explicitly,
    /// before it is touched, so the indexer's own checks would only repeat them on the hottest loop
    /// of a compressed route.
    /// </remarks>
    public static void Decode(ReadOnlySpan<byte> block, Span<byte> output)
    {
        if (!TryReadLength(block, out var length, out var at) || length != output.Length)
            throw new S2FormatException("block header is not a valid decoded length");
        ref var source = ref MemoryMarshal.GetReference(block);
        ref var target = ref MemoryMarshal.GetReference(output);
        var sourceLength = block.Length;
        var written = 0;
        var lastOffset = 0;
        while (at < sourceLength)
        {
            var tag = Unsafe.Add(ref source, at);
            int copyLength;
            int offset;
            switch (tag & 3)
            {
                case 0:
                    var code = tag >> 2;
                    long literal;
                    if (code < 60)
                    {
                        literal = code + 1;
                        at += 1;
                    }
                    else
                    {
                        var extra = code - 59;
                        if (at + 1 + extra > sourceLength)
                            ThrowCutShort(at + 1 + extra, sourceLength);
                        literal = ReadLittleEndian(ref Unsafe.Add(ref source, at + 1), extra) + 1L;
                        at += 1 + extra;
                    }
                    if (literal > sourceLength - at || literal > length - written)
                        ThrowLiteralTooLong(literal, at);
                    var count = (int)literal;
                    ref var from = ref Unsafe.Add(ref source, at);
                    ref var to = ref Unsafe.Add(ref target, written);
                    if (count <= 16 && sourceLength - at >= 16 && length - written >= 16)
                    {
                        // Short literals dominate text: one unaligned 16-byte move beats a memmove call.
                        Unsafe.WriteUnaligned(ref to, Unsafe.ReadUnaligned<Vector128<byte>>(ref from));
                    }
                    else
                    {
                        Unsafe.CopyBlockUnaligned(ref to, ref from, (uint)count);
                    }
                    at += count;
                    written += count;
                    continue;
                case 1:
                    if (at + 2 > sourceLength)
                        ThrowCutShort(at + 2, sourceLength);
                    var lengthCode = (tag >> 2) & 7;
                    offset = ((tag & 0xE0) << 3) | Unsafe.Add(ref source, at + 1);
                    at += 2;
                    if (offset != 0)
                    {
                        copyLength = lengthCode + 4;
                        break;
                    }
                    // S2 repeat: the previous offset again, with a longer length table.
                    offset = lastOffset;
                    switch (lengthCode)
                    {
                        case 5:
                            if (at + 1 > sourceLength)
                                ThrowCutShort(at + 1, sourceLength);
                            copyLength = Unsafe.Add(ref source, at) + 8;
                            at += 1;
                            break;
                        case 6:
                            if (at + 2 > sourceLength)
                                ThrowCutShort(at + 2, sourceLength);
                            copyLength = ReadUInt16(ref Unsafe.Add(ref source, at)) + 260;
                            at += 2;
                            break;
                        case 7:
                            if (at + 3 > sourceLength)
                                ThrowCutShort(at + 3, sourceLength);
                            copyLength = (int)ReadLittleEndian(ref Unsafe.Add(ref source, at), 3) + 65540;
                            at += 3;
                            break;
                        default:
                            copyLength = lengthCode + 4;
                            break;
                    }
                    if (offset == 0)
                        ThrowRepeatFirst(at);
                    break;
                case 2:
                    if (at + 3 > sourceLength)
                        ThrowCutShort(at + 3, sourceLength);
                    copyLength = (tag >> 2) + 1;
                    offset = ReadUInt16(ref Unsafe.Add(ref source, at + 1));
                    at += 3;
                    break;
                default:
                    if (at + 5 > sourceLength)
                        ThrowCutShort(at + 5, sourceLength);
                    copyLength = (tag >> 2) + 1;
                    var wide = ReadUInt32(ref Unsafe.Add(ref source, at + 1));
                    offset = wide > int.MaxValue ? -1 : (int)wide;
                    at += 5;
                    break;
            }
            if ((uint)(offset - 1) >= (uint)written)
                ThrowCopyBeforeStart(offset, at, written);
            if (copyLength > length - written)
                ThrowCopyTooLong(copyLength, at, length);
            Copy(ref Unsafe.Add(ref target, written), offset, copyLength, length - written);
            written += copyLength;
            lastOffset = offset;
        }
        if (written != length)
            throw new S2FormatException($"block decoded to {written} bytes but announced {length}");
    }

    /// <summary>
    /// Writes <paramref name="length"/> bytes at <paramref name="to"/> from <paramref name="offset"/>
    /// bytes back, with <paramref name="room"/> bytes of output from <paramref name="to"/> on
    /// (the caller checked the offset and that the length fits the room).
    /// </summary>
    private static void Copy(ref byte to, int offset, int length, int room)
    {
        ref var from = ref Unsafe.Subtract(ref to, offset);
        // Whole vectors, possibly past the copy's end (into room that later elements overwrite);
        // with the offset at least a vector wide, each read is complete before it is written.
        if (offset >= 16 && room >= length + 16)
        {
            var i = 0;
            do
            {
                Unsafe.WriteUnaligned(ref Unsafe.Add(ref to, i), Unsafe.ReadUnaligned<Vector128<byte>>(ref Unsafe.Add(ref from, i)));
                i += 16;
            }
            while (i < length);
            return;
        }
        if (offset >= 8 && room >= length + 8)
        {
            var i = 0;
            do
            {
                Unsafe.WriteUnaligned(ref Unsafe.Add(ref to, i), Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref from, i)));
                i += 8;
            }
            while (i < length);
            return;
        }
        if (offset >= length)
        {
            Unsafe.CopyBlockUnaligned(ref to, ref from, (uint)length);
            return;
        }
        // A pattern shorter than the copy (a run of one byte, say): the copy repeats bytes it is still writing.
        for (var i = 0; i < length; i++)
            Unsafe.Add(ref to, i) = Unsafe.Add(ref from, i);
    }

    // The throws live outside the decoder's loop so that it keeps only the comparisons.
    [DoesNotReturn]
    private static void ThrowCutShort(int end, int sourceLength) =>
        throw new S2FormatException($"block ends inside an element (needs {end} bytes, has {sourceLength})");

    [DoesNotReturn]
    private static void ThrowLiteralTooLong(long literal, int at) =>
        throw new S2FormatException($"literal of {literal} bytes at block byte {at} runs past the block or the decoded length");

    [DoesNotReturn]
    private static void ThrowRepeatFirst(int at) =>
        throw new S2FormatException($"repeat copy at block byte {at} before any copy in the block");

    [DoesNotReturn]
    private static void ThrowCopyBeforeStart(int offset, int at, int written) =>
        throw new S2FormatException($"copy at block byte {at} reaches {offset} bytes back, before the start of the block ({written} decoded)");

    [DoesNotReturn]
    private static void ThrowCopyTooLong(int copyLength, int at, int length) =>
        throw new S2FormatException($"copy of {copyLength} bytes at block byte {at} runs past the decoded length {length}");

    private static int ReadUInt16(ref byte first) =>
        BitConverter.IsLittleEndian ? Unsafe.ReadUnaligned<ushort>(ref first) : BinaryPrimitives.ReverseEndianness(Unsafe.ReadUnaligned<ushort>(ref first));

    private static uint ReadUInt32(ref byte first) =>
        BitConverter.IsLittleEndian ? Unsafe.ReadUnaligned<uint>(ref first) : BinaryPrimitives.ReverseEndianness(Unsafe.ReadUnaligned<uint>(ref first));

    /// <summary>A little-endian number of 1 to 4 bytes (bounds checked by the caller).</summary>
    private static uint ReadLittleEndian(ref byte first, int bytes)
    {
        uint value = 0;
        for (var i = bytes - 1; i >= 0; i--)
            value = (value << 8) | Unsafe.Add(ref first, i);
        return value;
    }
}

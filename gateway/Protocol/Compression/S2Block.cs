using System.Buffers.Binary;
using System.Runtime.CompilerServices;
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
    public static void Decode(ReadOnlySpan<byte> block, Span<byte> output)
    {
        if (!TryReadLength(block, out var length, out var at) || length != output.Length)
            throw new S2FormatException("block header is not a valid decoded length");
        var written = 0;
        var lastOffset = 0;
        while (at < block.Length)
        {
            var tag = block[at];
            int copyLength;
            int offset;
            switch (tag & 3)
            {
                case 0:
                    var code = tag >> 2;
                    int literal;
                    if (code < 60)
                    {
                        literal = code + 1;
                        at += 1;
                    }
                    else
                    {
                        var extra = code - 59;
                        Need(block, at + 1 + extra);
                        literal = (int)(ReadLittleEndian(block.Slice(at + 1, extra)) + 1);
                        at += 1 + extra;
                    }
                    if (literal <= 0 || literal > block.Length - at || literal > output.Length - written)
                        throw new S2FormatException($"literal of {literal} bytes at block byte {at} runs past the block or the decoded length");
                    if (literal <= 16 && block.Length - at >= 16 && output.Length - written >= 16)
                    {
                        // Short literals dominate text: one unaligned 16-byte move beats a memmove call.
                        Unsafe.WriteUnaligned(ref output[written], Unsafe.ReadUnaligned<Vector128<byte>>(in block[at]));
                    }
                    else
                    {
                        block.Slice(at, literal).CopyTo(output[written..]);
                    }
                    at += literal;
                    written += literal;
                    continue;
                case 1:
                    Need(block, at + 2);
                    var lengthCode = (tag >> 2) & 7;
                    offset = ((tag & 0xE0) << 3) | block[at + 1];
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
                            Need(block, at + 1);
                            copyLength = block[at] + 8;
                            at += 1;
                            break;
                        case 6:
                            Need(block, at + 2);
                            copyLength = BinaryPrimitives.ReadUInt16LittleEndian(block[at..]) + 260;
                            at += 2;
                            break;
                        case 7:
                            Need(block, at + 3);
                            copyLength = (int)ReadLittleEndian(block.Slice(at, 3)) + 65540;
                            at += 3;
                            break;
                        default:
                            copyLength = lengthCode + 4;
                            break;
                    }
                    if (offset == 0)
                        throw new S2FormatException($"repeat copy at block byte {at} before any copy in the block");
                    break;
                case 2:
                    Need(block, at + 3);
                    copyLength = (tag >> 2) + 1;
                    offset = BinaryPrimitives.ReadUInt16LittleEndian(block[(at + 1)..]);
                    at += 3;
                    break;
                default:
                    Need(block, at + 5);
                    copyLength = (tag >> 2) + 1;
                    var wide = BinaryPrimitives.ReadUInt32LittleEndian(block[(at + 1)..]);
                    offset = wide > int.MaxValue ? -1 : (int)wide;
                    at += 5;
                    break;
            }
            if (offset <= 0 || offset > written)
                throw new S2FormatException($"copy at block byte {at} reaches {offset} bytes back, before the start of the block ({written} decoded)");
            if (copyLength > output.Length - written)
                throw new S2FormatException($"copy of {copyLength} bytes at block byte {at} runs past the decoded length {output.Length}");
            Copy(output, written, offset, copyLength);
            written += copyLength;
            lastOffset = offset;
        }
        if (written != output.Length)
            throw new S2FormatException($"block decoded to {written} bytes but announced {output.Length}");
    }

    /// <summary>Appends <paramref name="length"/> bytes found <paramref name="offset"/> bytes back (checked by the caller).</summary>
    private static void Copy(Span<byte> output, int written, int offset, int length)
    {
        ref var to = ref output[written];
        ref var from = ref output[written - offset];
        if (offset >= 8 && output.Length - written >= length + 8)
        {
            // Eight bytes at a time, possibly past the copy's end (the slack is checked and later
            // overwritten); with an offset of at least 8 each read is complete before it is written.
            for (var i = 0; i < length; i += 8)
                Unsafe.WriteUnaligned(ref Unsafe.Add(ref to, i), Unsafe.ReadUnaligned<ulong>(in Unsafe.Add(ref from, i)));
            return;
        }
        if (offset >= length)
        {
            output.Slice(written - offset, length).CopyTo(output[written..]);
            return;
        }
        // Overlapping near the end of the block: the copy repeats bytes it is still writing.
        for (var i = 0; i < length; i++)
            Unsafe.Add(ref to, i) = Unsafe.Add(ref from, i);
    }

    private static void Need(ReadOnlySpan<byte> block, int end)
    {
        if (end > block.Length)
            throw new S2FormatException($"block ends inside an element (needs {end} bytes, has {block.Length})");
    }

    private static uint ReadLittleEndian(ReadOnlySpan<byte> bytes)
    {
        uint value = 0;
        for (var i = bytes.Length - 1; i >= 0; i--)
            value = (value << 8) | bytes[i];
        return value;
    }
}

using System.Numerics;
using System.Runtime.InteropServices;

namespace Nats.OrleansRoutes.Protocol.Compression;

/// <summary>The masked CRC-32C every S2 (and Snappy) data chunk carries for its uncompressed bytes.</summary>
public static class S2Crc
{
    /// <summary>
    /// Bytes per lane when three lanes run at once. The CRC instruction takes three cycles to give
    /// its result but can start every cycle, so three independent lanes run three times as fast as
    /// one; the lanes are joined by shifting a lane's CRC past the next lane's length.
    /// </summary>
    private const int Lane = 4096;

    private static readonly uint[] ShiftPastLane = ShiftTable(Lane);

    /// <summary>CRC-32C (Castagnoli) of <paramref name="data"/>: hardware instructions where the CPU has them.</summary>
    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        var crc = uint.MaxValue;
        while (data.Length >= 3 * Lane)
        {
            var a = crc;
            var b = 0u;
            var c = 0u;
            var first = MemoryMarshal.Cast<byte, ulong>(data[..Lane]);
            var second = MemoryMarshal.Cast<byte, ulong>(data.Slice(Lane, Lane));
            var third = MemoryMarshal.Cast<byte, ulong>(data.Slice(2 * Lane, Lane));
            for (var i = 0; i < first.Length; i++)
            {
                a = BitOperations.Crc32C(a, first[i]);
                b = BitOperations.Crc32C(b, second[i]);
                c = BitOperations.Crc32C(c, third[i]);
            }
            crc = Shift(Shift(a) ^ b) ^ c;
            data = data[(3 * Lane)..];
        }
        crc = Update(crc, data);
        return ~crc;
    }

    /// <summary>The framing format's mask: rotate right by 15, add 0xA282EAD8 (so data holding its own CRC does not check out).</summary>
    public static uint Masked(ReadOnlySpan<byte> data)
    {
        var crc = Crc32C(data);
        return unchecked(((crc >> 15) | (crc << 17)) + 0xA282EAD8);
    }

    /// <summary>The running CRC register (no inversions) after <paramref name="data"/>.</summary>
    private static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        while (data.Length >= sizeof(ulong))
        {
            crc = BitOperations.Crc32C(crc, MemoryMarshal.Read<ulong>(data));
            data = data[sizeof(ulong)..];
        }
        foreach (var b in data)
            crc = BitOperations.Crc32C(crc, b);
        return crc;
    }

    /// <summary>
    /// The register after <see cref="Lane"/> zero bytes more. Without inversions the register's
    /// update is linear in it, so the register after a lane's bytes is this shift of the register
    /// before, xor the lane's own CRC from zero; the shift is the xor of one table entry per byte.
    /// </summary>
    private static uint Shift(uint crc) =>
        ShiftPastLane[crc & 0xFF] ^ ShiftPastLane[256 + ((crc >> 8) & 0xFF)]
        ^ ShiftPastLane[512 + ((crc >> 16) & 0xFF)] ^ ShiftPastLane[768 + (crc >> 24)];

    private static uint[] ShiftTable(int zeros)
    {
        var table = new uint[4 * 256];
        Span<byte> none = stackalloc byte[zeros];
        none.Clear();
        for (var position = 0; position < 4; position++)
        {
            for (var value = 0; value < 256; value++)
                table[position * 256 + value] = Update((uint)value << (8 * position), none);
        }
        return table;
    }
}

using System.IO.Hashing;

namespace Nats.OrleansRoutes.Protocol.Compression;

/// <summary>The masked CRC-32C every S2 (and Snappy) data chunk carries for its uncompressed bytes.</summary>
public static class S2Crc
{
    /// <summary>CRC-32C (Castagnoli) of <paramref name="data"/>, from System.IO.Hashing (hardware instructions where the CPU has them).</summary>
    public static uint Crc32C(ReadOnlySpan<byte> data) => Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, data);

    /// <summary>The framing format's mask: rotate right by 15, add 0xA282EAD8 (so data holding its own CRC does not check out).</summary>
    public static uint Masked(ReadOnlySpan<byte> data) => Mask(Crc32C(data));

    /// <summary>The mask applied to a CRC-32C computed elsewhere (e.g. a piece at a time).</summary>
    public static uint Mask(uint crc) => unchecked(((crc >> 15) | (crc << 17)) + 0xA282EAD8);
}

using System.Text;

namespace Nats.OrleansRoutes.Protocol;

/// <summary>
/// The pool slot a 2.10+ server uses for a non-pinned account (protocol doc §4.1):
/// FNV-1a 32 of the account name's UTF-8 bytes, modulo the server's own pool size; 0 when the
/// pool size is 1 or less.
/// </summary>
public static class PoolIndex
{
    private const uint OffsetBasis = 0x811C9DC5;
    private const uint Prime = 0x01000193;

    public static int Of(ReadOnlySpan<byte> account, int poolSize)
    {
        if (poolSize <= 1)
            return 0;
        return (int)(Fnv1a32(account) % (uint)poolSize);
    }

    public static int Of(string account, int poolSize)
    {
        if (poolSize <= 1)
            return 0;
        Span<byte> buffer = stackalloc byte[256];
        var bytes = Encoding.UTF8.GetMaxByteCount(account.Length) <= buffer.Length
            ? buffer[..Encoding.UTF8.GetBytes(account, buffer)]
            : Encoding.UTF8.GetBytes(account);
        return Of(bytes, poolSize);
    }

    public static uint Fnv1a32(ReadOnlySpan<byte> data)
    {
        var hash = OffsetBasis;
        foreach (var b in data)
        {
            hash ^= b;
            hash *= Prime;
        }
        return hash;
    }
}

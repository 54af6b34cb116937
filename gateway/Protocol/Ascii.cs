namespace Nats.OrleansRoutes.Protocol;

/// <summary>Byte classes of the route protocol's text framing.</summary>
internal static class Ascii
{
    public const byte Cr = (byte)'\r';
    public const byte Lf = (byte)'\n';

    /// <summary>Field separators between arguments: nats-server splits on space, tab, CR and LF.</summary>
    public static bool IsSeparator(byte b) => b is (byte)' ' or (byte)'\t' or Cr or Lf;

    /// <summary>Spaces and tabs allowed between a verb and its arguments.</summary>
    public static bool IsBlank(byte b) => b is (byte)' ' or (byte)'\t';

    /// <summary>ASCII upper-casing of one letter; verbs are matched case-insensitively.</summary>
    public static byte Upper(byte b) => b is >= (byte)'a' and <= (byte)'z' ? (byte)(b - 32) : b;

    /// <summary>
    /// A size or header size as nats-server reads it: 1 to 9 decimal digits, otherwise -1.
    /// </summary>
    public static int ParseSize(ReadOnlySpan<byte> digits)
    {
        if (digits.IsEmpty || digits.Length > 9)
            return -1;
        var n = 0;
        foreach (var b in digits)
        {
            if (b is < (byte)'0' or > (byte)'9')
                return -1;
            n = (n * 10) + (b - '0');
        }
        return n;
    }
}

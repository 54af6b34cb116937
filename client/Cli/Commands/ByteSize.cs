using System.Globalization;

namespace Nats.OrleansRoutes.Cli.Commands;

/// <summary>Sizes on the command line: a number of bytes with an optional K, M or G suffix (powers of 1024).</summary>
internal static class ByteSize
{
    public static long Parse(string option, string text)
    {
        var trimmed = text.Trim();
        var unit = trimmed.Length > 0 ? char.ToUpperInvariant(trimmed[^1]) : ' ';
        var (digits, factor) = unit switch
        {
            'K' => (trimmed[..^1], 1024L),
            'M' => (trimmed[..^1], 1024L * 1024),
            'G' => (trimmed[..^1], 1024L * 1024 * 1024),
            _ => (trimmed, 1L),
        };
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value > long.MaxValue / factor)
            throw new UsageException($"{option} \"{text}\" is not a size (bytes, or a number with K, M or G, e.g. 64M)");
        return value * factor;
    }
}

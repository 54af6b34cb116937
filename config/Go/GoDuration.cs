using System.Globalization;
using System.Text;

namespace Nats.OrleansRoutes.Config.Go;

/// <summary>
/// Durations as nats-server reads and prints them (Go's time.ParseDuration and Duration.String):
/// "500ms", "2s", "1m30s", "1h"; units ns, us, µs, μs, ms, s, m, h; errors in Go's words.
/// </summary>
public static class GoDuration
{
    private const ulong Max = 1UL << 63;

    private static readonly Dictionary<string, ulong> Units = new(StringComparer.Ordinal)
    {
        ["ns"] = 1,
        ["us"] = 1000,
        ["\u00b5s"] = 1000,
        ["\u03bcs"] = 1000,
        ["ms"] = 1000_000,
        ["s"] = 1000_000_000,
        ["m"] = 60UL * 1000_000_000,
        ["h"] = 3600UL * 1000_000_000,
    };

    /// <summary>Parses a Go duration; on failure <paramref name="error"/> is Go's message (<c>time: …</c>).</summary>
    public static bool TryParse(string text, out TimeSpan value, out string? error)
    {
        var ok = TryParseNanoseconds(text, out var ns, out error);
        value = TimeSpan.FromTicks(ns / 100);
        return ok;
    }

    /// <summary>Parses a Go duration into nanoseconds (Go's own resolution).</summary>
    public static bool TryParseNanoseconds(string text, out long value, out string? error)
    {
        value = 0;
        error = null;
        var bytes = Encoding.UTF8.GetBytes(text);
        var s = 0;
        var negative = false;
        if (bytes.Length > 0 && bytes[0] is (byte)'-' or (byte)'+')
        {
            negative = bytes[0] == '-';
            s = 1;
        }
        if (bytes.Length - s == 1 && bytes[s] == '0')
            return true;
        if (s == bytes.Length)
            return Invalid(text, out error);

        ulong total = 0;
        while (s < bytes.Length)
        {
            if (!(bytes[s] == '.' || bytes[s] is >= (byte)'0' and <= (byte)'9'))
                return Invalid(text, out error);

            var start = s;
            ulong whole = 0;
            while (s < bytes.Length && bytes[s] is >= (byte)'0' and <= (byte)'9')
            {
                if (whole > Max / 10)
                    return Invalid(text, out error);
                whole = (whole * 10) + (ulong)(bytes[s] - '0');
                if (whole > Max)
                    return Invalid(text, out error);
                s++;
            }
            var hadWhole = s != start;

            ulong fraction = 0;
            double scale = 1;
            var hadFraction = false;
            if (s < bytes.Length && bytes[s] == '.')
            {
                s++;
                var fractionStart = s;
                var overflow = false;
                while (s < bytes.Length && bytes[s] is >= (byte)'0' and <= (byte)'9')
                {
                    if (!overflow)
                    {
                        if (fraction > (Max - 1) / 10)
                        {
                            overflow = true;
                        }
                        else
                        {
                            var next = (fraction * 10) + (ulong)(bytes[s] - '0');
                            if (next > Max)
                                overflow = true;
                            else
                            {
                                fraction = next;
                                scale *= 10;
                            }
                        }
                    }
                    s++;
                }
                hadFraction = s != fractionStart;
            }
            if (!hadWhole && !hadFraction)
                return Invalid(text, out error);

            var unitStart = s;
            while (s < bytes.Length && !(bytes[s] == '.' || bytes[s] is >= (byte)'0' and <= (byte)'9'))
                s++;
            if (s == unitStart)
            {
                error = $"time: missing unit in duration {Quote(text)}";
                return false;
            }
            var unitText = Encoding.UTF8.GetString(bytes, unitStart, s - unitStart);
            if (!Units.TryGetValue(unitText, out var unit))
            {
                error = $"time: unknown unit {Quote(unitText)} in duration {Quote(text)}";
                return false;
            }
            if (whole > Max / unit)
                return Invalid(text, out error);
            var v = whole * unit;
            if (fraction > 0)
            {
                v += (ulong)(fraction * (unit / scale));
                if (v > Max)
                    return Invalid(text, out error);
            }
            total += v;
            if (total > Max)
                return Invalid(text, out error);
        }
        if (negative)
        {
            value = unchecked(-(long)total);
            return true;
        }
        if (total > Max - 1)
            return Invalid(text, out error);
        value = (long)total;
        return true;
    }

    /// <summary>Go's Duration.String: "0s", "500ms", "1.5s", "2m0s", "1h0m0s".</summary>
    public static string Format(TimeSpan duration) => FormatNanoseconds(duration.Ticks * 100);

    public static string FormatNanoseconds(long ns)
    {
        if (ns == 0)
            return "0s";
        var negative = ns < 0;
        var u = negative ? (ulong)(-(ns + 1)) + 1 : (ulong)ns;
        string body;
        if (u < 1000_000_000UL)
        {
            var (unit, precision) = u < 1000 ? ("ns", 0) : u < 1000_000 ? ("µs", 3) : ("ms", 6);
            body = Fraction(u, precision) + unit;
        }
        else
        {
            // Seconds with their fraction, then whole minutes and hours in front.
            var seconds = Fraction(u, 9);
            var dot = seconds.IndexOf('.', StringComparison.Ordinal);
            var frac = dot >= 0 ? seconds[dot..] : "";
            var wholeSeconds = u / 1000_000_000UL;
            var minutes = wholeSeconds / 60;
            var secPart = (wholeSeconds % 60).ToString(CultureInfo.InvariantCulture) + frac + "s";
            if (minutes > 0)
            {
                var hours = minutes / 60;
                secPart = (minutes % 60).ToString(CultureInfo.InvariantCulture) + "m" + secPart;
                if (hours > 0)
                    secPart = hours.ToString(CultureInfo.InvariantCulture) + "h" + secPart;
            }
            body = secPart;
        }
        return negative ? "-" + body : body;
    }

    /// <summary>v / 10^precision with trailing zeros (and a bare dot) removed.</summary>
    private static string Fraction(ulong v, int precision)
    {
        if (precision == 0)
            return v.ToString(CultureInfo.InvariantCulture);
        var pow = 1UL;
        for (var i = 0; i < precision; i++)
            pow *= 10;
        var whole = v / pow;
        var frac = (v % pow).ToString(CultureInfo.InvariantCulture).PadLeft(precision, '0').TrimEnd('0');
        return frac.Length == 0 ? whole.ToString(CultureInfo.InvariantCulture) : $"{whole}.{frac}";
    }

    private static bool Invalid(string text, out string error)
    {
        error = $"time: invalid duration {Quote(text)}";
        return false;
    }

    /// <summary>The quoting of Go's time package: bytes below space or above ASCII become \xNN.</summary>
    private static string Quote(string text)
    {
        var sb = new StringBuilder("\"");
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            if (b is < 0x20 or >= 0x80)
                sb.Append("\\x").Append(b.ToString("x2", CultureInfo.InvariantCulture));
            else
            {
                if (b is (byte)'"' or (byte)'\\')
                    sb.Append('\\');
                sb.Append((char)b);
            }
        }
        return sb.Append('"').ToString();
    }
}

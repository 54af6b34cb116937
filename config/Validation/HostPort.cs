using System.Globalization;

namespace Nats.OrleansRoutes.Config.Validation;

/// <summary>host:port splitting and port parsing as Go's net.SplitHostPort and strconv.Atoi do them.</summary>
internal static class HostPort
{
    public static bool TrySplit(string text, out string host, out string port)
    {
        host = port = "";
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || close + 1 >= text.Length || text[close + 1] != ':')
                return false;
            host = text[1..close];
            port = text[(close + 2)..];
            return !host.Contains('[', StringComparison.Ordinal) && !port.Contains(']', StringComparison.Ordinal)
                && !port.Contains(':', StringComparison.Ordinal);
        }
        var colon = text.LastIndexOf(':');
        if (colon < 0)
            return false;
        host = text[..colon];
        port = text[(colon + 1)..];
        return !host.Contains(':', StringComparison.Ordinal) && !host.Contains('[', StringComparison.Ordinal)
            && !host.Contains(']', StringComparison.Ordinal) && !port.Contains('[', StringComparison.Ordinal)
            && !port.Contains(']', StringComparison.Ordinal);
    }

    /// <summary>An optional sign and decimal digits, as strconv.Atoi accepts.</summary>
    public static bool TryParseAtoi(string text, out int value) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value)
        && text.Length > 0 && text.TrimStart('+', '-').All(char.IsAsciiDigit);
}

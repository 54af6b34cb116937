using System.Globalization;

namespace Nats.OrleansRoutes.Config.Go;

/// <summary>The parts of a URL as Go's net/url sees them.</summary>
public sealed record GoUrlParts(string Scheme, string? User, string? Password, string Host, string Port, string Opaque);

/// <summary>
/// Decides whether a route URL is one Go's url.Parse accepts (nats-server refuses the rest with
/// "error parsing route url"), and splits it into scheme, user info, host and port.
/// </summary>
public static class GoUrl
{
    public static bool TryParse(string raw, out GoUrlParts parts)
    {
        parts = new GoUrlParts("", null, null, "", "", "");
        var s = raw;
        if (s.Any(c => c < 0x20 || c == 0x7f))
            return false;

        var hash = s.IndexOf('#', StringComparison.Ordinal);
        if (hash >= 0)
        {
            if (!ValidEscapes(s[(hash + 1)..]))
                return false;
            s = s[..hash];
        }

        var scheme = "";
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (char.IsAsciiLetter(c))
                continue;
            if (char.IsAsciiDigit(c) || c is '+' or '-' or '.')
            {
                if (i == 0)
                    break;
                continue;
            }
            if (c == ':')
            {
                if (i == 0)
                    return false; // missing protocol scheme
                scheme = s[..i].ToLowerInvariant();
                s = s[(i + 1)..];
            }
            break;
        }

        var question = s.IndexOf('?', StringComparison.Ordinal);
        if (question >= 0)
            s = s[..question];

        if (!s.StartsWith('/'))
        {
            if (scheme.Length > 0)
            {
                parts = parts with { Scheme = scheme, Opaque = s };
                return true;
            }
            var slash = s.IndexOf('/', StringComparison.Ordinal);
            var firstSegment = slash >= 0 ? s[..slash] : s;
            if (firstSegment.Contains(':', StringComparison.Ordinal))
                return false; // first path segment in URL cannot contain colon
        }

        string? user = null;
        string? password = null;
        var host = "";
        var port = "";
        if (s.StartsWith("//", StringComparison.Ordinal) && (scheme.Length > 0 || !s.StartsWith("///", StringComparison.Ordinal)))
        {
            var authority = s[2..];
            var pathStart = authority.IndexOf('/', StringComparison.Ordinal);
            var path = "";
            if (pathStart >= 0)
            {
                path = authority[pathStart..];
                authority = authority[..pathStart];
            }
            var at = authority.LastIndexOf('@');
            var hostPart = at >= 0 ? authority[(at + 1)..] : authority;
            if (!TryParseHost(hostPart, out host, out port))
                return false;
            if (at >= 0)
            {
                var userInfo = authority[..at];
                if (!ValidUserInfo(userInfo) || !ValidEscapes(userInfo))
                    return false;
                var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
                user = Unescape(colon >= 0 ? userInfo[..colon] : userInfo);
                password = colon >= 0 ? Unescape(userInfo[(colon + 1)..]) : null;
            }
            s = path;
        }
        if (!ValidEscapes(s))
            return false;
        parts = new GoUrlParts(scheme, user, password, host, port, "");
        return true;
    }

    private static bool TryParseHost(string host, out string name, out string port)
    {
        name = host;
        port = "";
        if (host.StartsWith('['))
        {
            var close = host.LastIndexOf(']');
            if (close < 0)
                return false;
            var colonPort = host[(close + 1)..];
            if (!ValidOptionalPort(colonPort))
                return false;
            var inside = host[1..close];
            var zone = inside.IndexOf("%25", StringComparison.Ordinal);
            var address = zone >= 0 ? inside[..zone] : inside;
            if (!System.Net.IPAddress.TryParse(address, out var ip) || ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
                return false;
            name = inside;
            port = colonPort.Length > 0 ? colonPort[1..] : "";
            return zone < 0 || ValidEscapes(inside[zone..]);
        }
        var lastColon = host.LastIndexOf(':');
        if (lastColon >= 0)
        {
            if (!ValidOptionalPort(host[lastColon..]))
                return false;
            name = host[..lastColon];
            port = host[(lastColon + 1)..];
        }
        return ValidHostChars(host);
    }

    private static bool ValidOptionalPort(string colonPort) =>
        colonPort.Length == 0 || (colonPort[0] == ':' && colonPort.Skip(1).All(char.IsAsciiDigit));

    /// <summary>ASCII host characters Go lets through unescaped; '%' only as %25 or for non-ASCII bytes.</summary>
    private static bool ValidHostChars(string host)
    {
        for (var i = 0; i < host.Length; i++)
        {
            var c = host[i];
            if (c >= 0x80 || char.IsAsciiLetterOrDigit(c) || "-_.~!$&'()*+,;=:[]<>\"".Contains(c, StringComparison.Ordinal))
                continue;
            if (c == '%' && i + 2 < host.Length && IsHex(host[i + 1]) && IsHex(host[i + 2]))
            {
                var value = Convert.ToInt32(host.Substring(i + 1, 2), 16);
                if (host.Substring(i, 3) != "%25" && value < 0x80)
                    return false;
                i += 2;
                continue;
            }
            return false;
        }
        return true;
    }

    private static bool ValidUserInfo(string s) =>
        s.All(c => char.IsAsciiLetterOrDigit(c) || "-._:~!$&'()*+,;=%@".Contains(c, StringComparison.Ordinal));

    private static bool ValidEscapes(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] != '%')
                continue;
            if (i + 2 >= s.Length || !IsHex(s[i + 1]) || !IsHex(s[i + 2]))
                return false;
            i += 2;
        }
        return true;
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    private static string Unescape(string s) => Uri.UnescapeDataString(s);

    /// <summary>The port as a number, or 0 when it is empty or does not fit.</summary>
    public static int PortNumber(string port) =>
        int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : 0;
}

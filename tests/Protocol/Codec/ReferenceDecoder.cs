using System.Globalization;
using System.Text;
using Nats.OrleansRoutes.Protocol;

namespace Nats.OrleansRoutes.Tests.Protocol.Codec;

/// <summary>
/// The test oracle for transcript replay: a deliberately naive decoder that works on the
/// transcript's own line breaks (one protocol line per transcript line, payload lines after a
/// message line) with string splitting, independent of the real parser's byte-level code.
/// It yields the expected ops in <see cref="OpText"/> form, and the error the stream should end in.
/// </summary>
internal static class ReferenceDecoder
{
    public static (List<string> Ops, RouteProtocolErrorKind Error) Decode(IReadOnlyList<string> lines,
        string? pinnedAccount, bool leafUnsubHasOrigin, int maxControlLine)
    {
        var ops = new List<string>();
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            var body = line.EndsWith("\r\n", StringComparison.Ordinal) ? line[..^2] : line.TrimEnd('\n');
            if (Encoding.UTF8.GetByteCount(body) > maxControlLine)
                return (ops, RouteProtocolErrorKind.MaxControlLineExceeded);
            var fields = body.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            var verb = fields.Length == 0 ? "" : fields[0].ToUpperInvariant();
            var rest = fields.Skip(1).ToList();
            switch (verb)
            {
                case "PING" or "PONG" or "+OK":
                    ops.Add(verb);
                    break;
                case "INFO" or "CONNECT" or "-ERR":
                    ops.Add($"{verb} args={body[(body.IndexOf(fields[0], StringComparison.Ordinal) + fields[0].Length)..].TrimStart(' ', '\t').TrimEnd()}");
                    break;
                case "RS+" or "LS+":
                {
                    var origin = verb == "LS+" ? Take(rest) : null;
                    var acct = pinnedAccount ?? Take(rest);
                    if (rest.Count is not (1 or 3))
                        return (ops, RouteProtocolErrorKind.BadArguments);
                    var text = $"{verb}{F("origin", origin)}{F("acct", acct)}{F("subj", rest[0])}";
                    if (rest.Count == 3)
                        text += $"{F("queue", rest[1])} weight={Math.Max(1, int.Parse(rest[2], CultureInfo.InvariantCulture))}";
                    ops.Add(text);
                    break;
                }
                case "RS-" or "LS-":
                {
                    var origin = verb == "LS-" && leafUnsubHasOrigin ? Take(rest) : null;
                    var acct = pinnedAccount ?? Take(rest);
                    if (rest.Count is not (1 or 2))
                        return (ops, RouteProtocolErrorKind.BadArguments);
                    ops.Add($"{verb}{F("origin", origin)}{F("acct", acct)}{F("subj", rest[0])}{(rest.Count == 2 ? F("queue", rest[1]) : "")}");
                    break;
                }
                case "RMSG" or "HMSG" or "LMSG":
                {
                    var origin = verb == "LMSG" ? Take(rest) : null;
                    var acct = pinnedAccount ?? Take(rest);
                    var subject = Take(rest);
                    var size = int.Parse(rest[^1], CultureInfo.InvariantCulture);
                    var hdr = verb == "RMSG" ? 0 : int.Parse(rest[^2], CultureInfo.InvariantCulture);
                    var routing = rest.Take(rest.Count - (verb == "RMSG" ? 1 : 2)).ToList();
                    string? reply = null;
                    var queues = new List<string>();
                    if (routing.Count == 1)
                        reply = routing[0];
                    else if (routing.Count > 1)
                    {
                        if (routing[0] == "+")
                        {
                            reply = routing[1];
                            queues.AddRange(routing.Skip(2));
                        }
                        else
                        {
                            queues.AddRange(routing.Skip(1));
                        }
                    }
                    var payload = new StringBuilder();
                    while (Encoding.UTF8.GetByteCount(payload.ToString()) < size + 2)
                        payload.Append(lines[++i]);
                    var bytes = Encoding.UTF8.GetBytes(payload.ToString());
                    ops.Add($"{verb}{F("origin", origin)}{F("acct", acct)}{F("subj", subject)}{F("reply", reply)}" +
                        $" queues=[{string.Join(',', queues)}] hdr={hdr} size={size} payload={Encoding.UTF8.GetString(bytes, 0, size)}");
                    break;
                }
                default:
                    return (ops, RouteProtocolErrorKind.UnknownOperation);
            }
        }
        return (ops, RouteProtocolErrorKind.None);
    }

    private static string? Take(List<string> fields)
    {
        if (fields.Count == 0)
            return null;
        var first = fields[0];
        fields.RemoveAt(0);
        return first;
    }

    private static string F(string name, string? value) => string.IsNullOrEmpty(value) ? "" : $" {name}={value}";
}

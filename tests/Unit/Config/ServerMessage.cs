using System.Text.RegularExpressions;

namespace Nats.OrleansRoutes.Tests.Unit.Config;

/// <summary>
/// One line nats-server printed about a configuration file, split into the line it names (if any)
/// and the message, with nats-server's wrappers removed: "Parse error on line N: '…'" around lexer
/// errors, and the column convention (0-based on line 1).
/// </summary>
internal sealed partial record ServerMessage(int? Line, int? Column, string Message)
{
    public static ServerMessage? Parse(string printed)
    {
        var text = printed.StartsWith("nats-server: ", StringComparison.Ordinal) ? printed["nats-server: ".Length..] : printed;
        if (text.StartsWith("[FTL] ", StringComparison.Ordinal))
            return new ServerMessage(null, null, text["[FTL] ".Length..]);
        if (text.Length == 0 || text.StartsWith("configuration file", StringComparison.Ordinal) || text.StartsWith('['))
            return null;
        var positioned = PositionPattern().Match(text);
        if (positioned.Success)
        {
            var line = int.Parse(positioned.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture);
            var column = int.Parse(positioned.Groups["col"].Value, System.Globalization.CultureInfo.InvariantCulture);
            return new ServerMessage(line, line == 1 ? column + 1 : column, positioned.Groups["msg"].Value);
        }
        var include = IncludePattern().Match(text);
        if (include.Success)
        {
            var inner = Parse(include.Groups["inner"].Value);
            return inner is null ? null : inner with { Message = $"error parsing include file '{include.Groups["file"].Value}', {inner.Message}" };
        }
        var parse = ParseErrorPattern().Match(text);
        if (parse.Success)
            return new ServerMessage(int.Parse(parse.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture), null, parse.Groups["msg"].Value);
        var variable = VariablePattern().Match(text);
        if (variable.Success)
            return new ServerMessage(int.Parse(variable.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture), null, text);
        return new ServerMessage(null, null, text);
    }

    [GeneratedRegex(@"^(?<file>/[^:]+):(?<line>[0-9]+):(?<col>[0-9]+): (?<msg>.*)$")]
    private static partial Regex PositionPattern();

    [GeneratedRegex(@"^error parsing include file '(?<file>[^']*)', (?<inner>.*)$")]
    private static partial Regex IncludePattern();

    [GeneratedRegex(@"^Parse error on line (?<line>[0-9]+): '(?<msg>.*)'$", RegexOptions.Singleline)]
    private static partial Regex ParseErrorPattern();

    [GeneratedRegex(@"^variable reference for '[^']*' on line (?<line>[0-9]+) ")]
    private static partial Regex VariablePattern();
}

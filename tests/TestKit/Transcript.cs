using System.Text;
using System.Text.RegularExpressions;

namespace Nats.OrleansRoutes.TestKit;

/// <summary>
/// One captured route conversation from tests/fixtures/route-transcripts. Each direction of each
/// connection ("S1", "F1", … or "S"/"F") becomes one byte stream, rebuilt from the transcript lines:
/// the visible escapes <c>\r\n</c> and <c>\t</c> become bytes, <c>x...(N x)...</c> abbreviations are
/// expanded, trailing <c># notes</c> and the raw <c>s2</c> dumps are dropped (the decoded lines follow them).
/// </summary>
public sealed partial class Transcript
{
    private Transcript(string name, IReadOnlyDictionary<string, List<string>> lines)
    {
        Name = name;
        Lines = lines;
    }

    public string Name { get; }

    /// <summary>Server version the transcript was captured with, from its file name.</summary>
    public string Version => VersionPattern().Match(Name).Value;

    /// <summary>Stream marker ("S1", "F2", "S", "F") → protocol lines in order, escapes decoded.</summary>
    public IReadOnlyDictionary<string, List<string>> Lines { get; }

    public static IEnumerable<string> Files() =>
        Directory.EnumerateFiles(RepoPaths.Transcripts, "*.txt")
            .Where(f => !Path.GetFileName(f).StartsWith("config_", StringComparison.Ordinal)
                && !Path.GetFileName(f).StartsWith("pool_index", StringComparison.Ordinal)
                && !Path.GetFileName(f).StartsWith("s2_", StringComparison.Ordinal))
            .Select(Path.GetFileName)
            .Order(StringComparer.Ordinal)!;

    public static Transcript Load(string fileName)
    {
        var lines = new Dictionary<string, List<string>>();
        foreach (var raw in File.ReadLines(Path.Combine(RepoPaths.Transcripts, fileName)))
        {
            var m = LinePattern().Match(raw);
            if (!m.Success)
                continue;
            var text = m.Groups["text"].Value;
            var note = text.IndexOf("\\r\\n   #", StringComparison.Ordinal);
            if (note >= 0)
                text = text[..(note + 4)];
            var marker = m.Groups["marker"].Value;
            if (!lines.TryGetValue(marker, out var list))
                lines[marker] = list = [];
            list.Add(Decode(text));
        }
        return new Transcript(fileName, lines);
    }

    /// <summary>The bytes of one stream, as they crossed the wire (after S2 decoding where compressed).</summary>
    public byte[] Bytes(string marker) => Encoding.UTF8.GetBytes(string.Concat(Lines[marker]));

    /// <summary>Connection number of a marker ("S12" → "12", "S" → "").</summary>
    public static string Connection(string marker) => marker[1..];

    /// <summary>The marker of the other direction of the same connection.</summary>
    public static string Peer(string marker) => (marker[0] == 'S' ? "F" : "S") + marker[1..];

    private static string Decode(string text)
    {
        var expanded = AbbreviationPattern().Replace(text, m =>
            new string(m.Groups["c"].Value[0], int.Parse(m.Groups["n"].Value, System.Globalization.CultureInfo.InvariantCulture)));
        return expanded.Replace("\\r", "\r", StringComparison.Ordinal)
            .Replace("\\n", "\n", StringComparison.Ordinal)
            .Replace("\\t", "\t", StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^(?<marker>[SF][0-9]*)> \[\s*[0-9.]+s\] (?<text>.*)$")]
    private static partial Regex LinePattern();

    // "x...(69990 x)..." stands for the character repeated that many times (the first x included).
    [GeneratedRegex(@"(?<c>.)\.\.\.\((?<n>[0-9]+) \k<c>\)\.\.\.")]
    private static partial Regex AbbreviationPattern();

    [GeneratedRegex(@"2\.[0-9]+\.[0-9]+")]
    private static partial Regex VersionPattern();
}

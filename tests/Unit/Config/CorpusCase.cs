using System.Text.RegularExpressions;
using Nats.OrleansRoutes.TestKit;

namespace Nats.OrleansRoutes.Tests.Unit.Config;

/// <summary>
/// One file of tests/corpus/conf and what the real nats-server binaries said about it
/// (recorded by tests/corpus/conf/record.sh into NNN-name.expect).
/// </summary>
internal sealed partial record CorpusCase(string Name, string Path, IReadOnlyDictionary<string, string> Environment,
    bool StartsOn2_15, IReadOnlyList<string> StartOutput, bool TestPassesOn2_15, IReadOnlyList<string> TestOutput,
    IReadOnlyDictionary<string, bool> TestPasses, bool Crashes)
{
    public static IEnumerable<string> Names() =>
        Directory.EnumerateFiles(RepoPaths.ConfCorpus, "*.conf").Select(p => System.IO.Path.GetFileNameWithoutExtension(p)).Order(StringComparer.Ordinal);

    public static CorpusCase Load(string name)
    {
        var path = System.IO.Path.Combine(RepoPaths.ConfCorpus, name + ".conf");
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        var first = File.ReadLines(path).FirstOrDefault() ?? "";
        var env = EnvPattern().Match(first);
        if (env.Success)
        {
            foreach (var pair in env.Groups[1].Value.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                environment[pair[..eq]] = pair[(eq + 1)..];
            }
        }

        var starts = false;
        var startOutput = new List<string>();
        var testOutput = new List<string>();
        var testPasses = new Dictionary<string, bool>();
        var crashes = false;
        foreach (var line in File.ReadLines(System.IO.Path.ChangeExtension(path, ".expect")))
        {
            var m = ExpectPattern().Match(line);
            if (!m.Success)
                continue;
            var (phase, version, rest) = (m.Groups["phase"].Value, m.Groups["version"].Value, m.Groups["rest"].Value);
            if (phase == "start" && version == "2.15.1")
            {
                if (rest == "running")
                    starts = true;
                else if (rest.StartsWith("| ", StringComparison.Ordinal))
                    startOutput.Add(Expand(rest[2..], path));
            }
            else if (phase == "test")
            {
                if (rest.StartsWith("exit ", StringComparison.Ordinal))
                {
                    testPasses[version] = rest == "exit 0";
                    // Exit 2 is a Go runtime crash (an include cycle): the server can never start.
                    crashes |= version == "2.15.1" && rest == "exit 2";
                }
                else if (version == "2.15.1" && rest.StartsWith("| ", StringComparison.Ordinal))
                    testOutput.Add(Expand(rest[2..], path));
            }
        }
        return new CorpusCase(name, path, environment, starts && !crashes, startOutput,
            testPasses.GetValueOrDefault("2.15.1"), testOutput, testPasses, crashes);
    }

    private static string Expand(string text, string path) =>
        text.Replace("{file}", path, StringComparison.Ordinal)
            .Replace("{dir}", RepoPaths.ConfCorpus, StringComparison.Ordinal)
            .Replace("<NUL>", "\0", StringComparison.Ordinal);

    [GeneratedRegex(@"^#\s*env:\s*(.*)$")]
    private static partial Regex EnvPattern();

    [GeneratedRegex(@"^(?<phase>test|start) (?<version>[0-9.]+) (?<rest>.*)$")]
    private static partial Regex ExpectPattern();
}

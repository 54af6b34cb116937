using System.Diagnostics;
using System.Xml.Linq;

namespace Nats.OrleansRoutes.Cli.Testing;

/// <summary>
/// Runs the test tiers one after another (they share two cores; integration tests start real
/// servers) and sums the TRX results into the "N passed, N failed[, N skipped]" line CI reads.
/// </summary>
internal sealed class TestRunner(string root, TextWriter output, TextWriter error)
{
    public static readonly string[] Tiers = ["unit", "protocol", "integration"];

    private static readonly Dictionary<string, string> TierProjects = new()
    {
        ["unit"] = "tests/Unit/Nats.OrleansRoutes.Tests.Unit.csproj",
        ["protocol"] = "tests/Protocol/Nats.OrleansRoutes.Tests.Protocol.csproj",
        ["integration"] = "tests/Integration/Nats.OrleansRoutes.Tests.Integration.csproj",
    };

    public async Task<int> RunAsync(IReadOnlyList<string> tiers, string? filter, bool install, CancellationToken cancellation)
    {
        if (install && await RunAsync("bash", ["build/install-peers.sh"], cancellation) != 0)
            return Summarize(0, 1, 0, "the peer installer failed (see above)");

        if (await RunAsync("dotnet", ["build", "Nats.OrleansRoutes.sln", "-c", "Release", "-nologo", "-v", "quiet", "-clp:ErrorsOnly"], cancellation) != 0)
            return Summarize(0, 1, 0, "the build failed (see above)");

        var results = Path.Combine(root, "artifacts", "test-results");
        if (Directory.Exists(results))
            Directory.Delete(results, recursive: true);

        var broken = new List<string>();
        foreach (var tier in Tiers.Where(tiers.Contains))
        {
            var project = TierProjects[tier];
            if (!File.Exists(Path.Combine(root, project)))
                continue;
            output.WriteLine($"== {tier} tests ==");
            var args = new List<string>
            {
                "test", project, "-c", "Release", "--no-build", "-nologo",
                "--logger", $"trx;LogFileName={tier}.trx", "--results-directory", results,
            };
            if (!string.IsNullOrEmpty(filter))
                args.AddRange(["--filter", filter]);
            var code = await RunAsync("dotnet", args, cancellation);
            if (code != 0 && !File.Exists(Path.Combine(results, $"{tier}.trx")))
                broken.Add(tier);
        }

        var (passed, failed, skipped) = (0, broken.Count, 0);
        foreach (var trx in Directory.Exists(results) ? Directory.GetFiles(results, "*.trx") : [])
        {
            var counters = XDocument.Load(trx).Descendants().FirstOrDefault(e => e.Name.LocalName == "Counters");
            if (counters is null)
                continue;
            passed += Count(counters, "passed");
            failed += Count(counters, "failed") + Count(counters, "error") + Count(counters, "timeout") + Count(counters, "aborted");
            skipped += Count(counters, "notExecuted");
        }
        return Summarize(passed, failed, skipped, broken.Count > 0 ? $"no results from: {string.Join(", ", broken)} (the test host crashed or timed out)" : null);
    }

    private int Summarize(int passed, int failed, int skipped, string? problem)
    {
        if (problem is not null)
            error.WriteLine($"natsroutes test: {problem}");
        output.WriteLine(skipped > 0 ? $"{passed} passed, {failed} failed, {skipped} skipped" : $"{passed} passed, {failed} failed");
        return failed == 0 ? 0 : 1;
    }

    private static int Count(XElement counters, string name) =>
        int.TryParse(counters.Attribute(name)?.Value, out var n) ? n : 0;

    private async Task<int> RunAsync(string file, IEnumerable<string> args, CancellationToken cancellation)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = root, UseShellExecute = false };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        try
        {
            await process.WaitForExitAsync(cancellation);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return process.ExitCode;
    }
}

namespace Nats.OrleansRoutes.TestKit;

/// <summary>Finds a program of this solution built in the same configuration as the tests.</summary>
public static class DotnetProgram
{
    public static string Dll(string project, string assembly)
    {
        var configuration = AppContext.BaseDirectory.Contains("/debug", StringComparison.Ordinal) ? "debug" : "release";
        var path = Path.Combine(RepoPaths.Root, "artifacts", "bin", project, configuration, assembly + ".dll");
        if (!File.Exists(path))
            throw new InvalidOperationException($"{path} is not built; build the solution first.");
        return path;
    }

    /// <summary>
    /// Settings for the program a benchmark measures: those named in <c>BENCH_GATEWAY_ENV</c>, and
    /// with <c>BENCH_PROFILE=1</c> those under which perf(1) can name every managed frame of the
    /// program (JIT everything, no ready-to-run code, and write perf maps).
    /// </summary>
    public static void AddBenchSettings(IDictionary<string, string> environment)
    {
        // BENCH_GATEWAY_ENV="NAME=value;NAME2=value": settings for the program under test only
        // (a runtime knob set for the whole benchmark would change its load tools too).
        foreach (var setting in (Environment.GetEnvironmentVariable("BENCH_GATEWAY_ENV") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = setting.Split('=', 2);
            if (parts.Length == 2)
                environment[parts[0]] = parts[1];
        }
        if (Environment.GetEnvironmentVariable("BENCH_PROFILE") != "1")
            return;
        environment["DOTNET_PerfMapEnabled"] = "1";
        environment["DOTNET_ReadyToRun"] = "0";
        environment["DOTNET_EnableWriteXorExecute"] = "0";
    }

    public static RunningProcess Start(string name, string project, string assembly, IEnumerable<string> args,
        IDictionary<string, string>? environment = null) =>
        RunningProcess.Start(name, "dotnet", [Dll(project, assembly), .. args], environment: environment);
}

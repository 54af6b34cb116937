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
    /// With <c>BENCH_PROFILE=1</c>, settings under which perf(1) can name every managed frame of the
    /// program: JIT everything (no ready-to-run code) and write perf maps.
    /// </summary>
    public static void AddProfiling(IDictionary<string, string> environment)
    {
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

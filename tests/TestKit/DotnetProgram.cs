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

    public static RunningProcess Start(string name, string project, string assembly, IEnumerable<string> args,
        IDictionary<string, string>? environment = null) =>
        RunningProcess.Start(name, "dotnet", [Dll(project, assembly), .. args], environment: environment);
}

namespace Nats.OrleansRoutes.TestKit;

/// <summary>Runs the built natsroutes program (the same build configuration as the tests) as a separate process.</summary>
public static class NatsRoutesCli
{
    public static string DllPath
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains("/debug", StringComparison.Ordinal) ? "debug" : "release";
            var path = Path.Combine(RepoPaths.Root, "artifacts", "bin", "Nats.OrleansRoutes.Cli", configuration, "natsroutes.dll");
            if (!File.Exists(path))
                throw new InvalidOperationException($"{path} not built; build the solution first.");
            return path;
        }
    }

    public static Task<ProcessResult> RunAsync(params string[] args) => RunAsync(TimeSpan.FromSeconds(60), args);

    public static Task<ProcessResult> RunAsync(TimeSpan timeout, params string[] args) =>
        ProcessRunner.RunAsync("dotnet", [DllPath, .. args], timeout);
}

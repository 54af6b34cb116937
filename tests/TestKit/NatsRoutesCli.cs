namespace Nats.OrleansRoutes.TestKit;

/// <summary>Runs the built natsroutes program (the same build configuration as the tests) as a separate process.</summary>
public static class NatsRoutesCli
{
    public static string DllPath => DotnetProgram.Dll("Nats.OrleansRoutes.Cli", "natsroutes");

    public static Task<ProcessResult> RunAsync(params string[] args) => RunAsync(TimeSpan.FromSeconds(60), args);

    public static Task<ProcessResult> RunAsync(TimeSpan timeout, params string[] args) =>
        ProcessRunner.RunAsync("dotnet", [DllPath, .. args], timeout);
}

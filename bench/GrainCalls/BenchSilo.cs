using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Nats.OrleansRoutes.Runtime.Hosting;

namespace Nats.OrleansRoutes.Bench.GrainCalls;

/// <summary>A silo process hosting the bench grain on Redis (started by <see cref="BenchRun"/>).</summary>
internal static class BenchSilo
{
    public static async Task<int> RunAsync(string[] args)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddGrainRuntime(o =>
        {
            o.SiloPort = 0;
            o.KeyPrefix = Arg(args, "--prefix", "bench");
        })
            .UseRedis(r => r.Endpoint = Arg(args, "--redis", "127.0.0.1:6379"))
            .AddGrain<IBenchGrain, BenchGrain>()
            .AddSilo();
        using var host = builder.Build();
        await host.StartAsync();
        Console.WriteLine("READY");
        await host.WaitForShutdownAsync();
        return 0;
    }

    public static string Arg(string[] args, string name, string fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
    }
}

using Microsoft.Extensions.Hosting;
using Nats.OrleansRoutes.Client;
using Nats.OrleansRoutes.Silo;

namespace Nats.OrleansRoutes.Bench.GrainCalls;

/// <summary>
/// A silo process hosting the bench grain (and the product's grains) on Redis, configured exactly
/// as `natsroutes silo` is (started by <see cref="BenchRun"/>).
/// </summary>
internal static class BenchSilo
{
    public static async Task<int> RunAsync(string[] args)
    {
        await using var app = SiloHost.Build(new SiloHostOptions
        {
            Redis = new RedisSettings(Arg(args, "--redis", "127.0.0.1:6379")),
            Port = 0,
            GatewayPort = 0,
            KeyPrefix = Arg(args, "--prefix", "bench"),
        });
        await app.StartAsync();
        Console.WriteLine("READY");
        await app.WaitForShutdownAsync();
        return 0;
    }

    public static string Arg(string[] args, string name, string fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Nats.OrleansRoutes.Client;
using Nats.OrleansRoutes.Gateway.Serving;
using Nats.OrleansRoutes.Grains;
using Nats.OrleansRoutes.Silo;
using Nats.OrleansRoutes.TestKit;

namespace Nats.OrleansRoutes.Bench.GrainCalls;

/// <summary>
/// Runs every scenario and writes a markdown report. Each scenario warms up for a second, then
/// counts completed calls for the measured seconds; latency is taken around each awaited call.
/// </summary>
internal static class BenchRun
{
    private sealed record Result(string Setup, string Call, int InFlight, double CallsPerSecond, double P50Micros, double P99Micros);

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = int.Parse(BenchSilo.Arg(args, "--seconds", "5"), CultureInfo.InvariantCulture);
        var output = BenchSilo.Arg(args, "--out", Path.Combine(RepoPaths.Root, "docs", "benchmarks", "grain-calls.md"));
        var results = new List<Result>();

        Console.WriteLine("in-process (silo in this process, in-memory storage)");
        await using (var local = await InProcessAsync())
            results.AddRange(await ScenariosAsync("in-process", local.Grains, seconds));

        await using var redis = await RedisServer.StartAsync();
        Console.WriteLine("in-process (silo in this process, Redis storage)");
        await using (var localRedis = await InProcessAsync(redis.Endpoint))
        {
            results.AddRange(await ScenariosAsync("in-process, Redis", localRedis.Grains, seconds));
            Console.WriteLine("gateway authorization (RouteAuthorizer against a cluster grain in this process)");
            results.AddRange(await AuthorizationAsync(localRedis.Grains, seconds));
        }

        foreach (var silos in new[] { 1, 2 })
        {
            Console.WriteLine($"{silos} silo process(es) over loopback, Redis storage");
            var prefix = $"bench{silos}";
            var processes = new List<RunningProcess>();
            for (var i = 0; i < silos; i++)
            {
                var silo = DotnetProgram.Start($"bench-silo{i}", "Nats.OrleansRoutes.Bench.GrainCalls", "Nats.OrleansRoutes.Bench.GrainCalls",
                    ["silo", "--redis", redis.Endpoint, "--prefix", prefix]);
                await silo.WaitForLineAsync("READY", TimeSpan.FromSeconds(60));
                processes.Add(silo);
            }
            await using (var client = await ClientAsync(redis.Endpoint, prefix))
                results.AddRange(await ScenariosAsync($"{silos} silo{(silos > 1 ? "s" : "")}", client.Grains, seconds));
            foreach (var process in processes)
                await process.DisposeAsync();
        }

        Console.WriteLine("memory: 10 000 cluster grains on one natsroutes silo");
        var memory = await ClusterGrainMemoryAsync(redis.Endpoint, 10_000);

        var report = Report(results, memory, seconds);
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        await File.WriteAllTextAsync(output, report);
        Console.WriteLine(report);
        return 0;
    }

    private static async Task<List<Result>> ScenariosAsync(string setup, IGrainFactory grains, int seconds)
    {
        var results = new List<Result>();
        foreach (var inFlight in new[] { 1, 64 })
        {
            foreach (var (name, call) in new (string, Func<IBenchGrain, int, Task>)[]
                     {
                         ("read-only", (g, n) => g.Read(n)),
                         ("state-writing", (g, n) => g.Write(n)),
                     })
            {
                var result = await MeasureAsync(setup, name, grains, call, inFlight, seconds);
                Console.WriteLine($"  {name,-14} in flight {inFlight,3}: {result.CallsPerSecond,10:N0} calls/s  p50 {result.P50Micros,8:N0} µs  p99 {result.P99Micros,8:N0} µs");
                results.Add(result);
            }
        }
        return results;
    }

    /// <summary><paramref name="inFlight"/> loops, each calling its own grain, so one grain's turns never limit the rate.</summary>
    private static async Task<Result> MeasureAsync(string setup, string name, IGrainFactory grains, Func<IBenchGrain, int, Task> call,
        int inFlight, int seconds)
    {
        var targets = Enumerable.Range(0, inFlight).Select(i => grains.GetGrain<IBenchGrain>($"{name}-{inFlight}-{i}")).ToArray();
        await Task.WhenAll(targets.Select(t => call(t, 0))); // activate
        var measuring = false;
        var stop = false;
        var samples = new List<long>[inFlight];
        var counts = new long[inFlight];
        var workers = Enumerable.Range(0, inFlight).Select(async w =>
        {
            samples[w] = new List<long>(1 << 16);
            var n = 0;
            while (!Volatile.Read(ref stop))
            {
                // In process, a call's continuation may run inline on the silo's thread: without a
                // yield, 64 loops would keep the thread pool busy and starve the silo's own work.
                await Task.Yield();
                var start = Stopwatch.GetTimestamp();
                await call(targets[w], n++);
                if (Volatile.Read(ref measuring))
                {
                    samples[w].Add(Stopwatch.GetTimestamp() - start);
                    counts[w]++;
                }
            }
        }).ToArray();
        await Task.Delay(TimeSpan.FromSeconds(1)); // warm-up
        Volatile.Write(ref measuring, true);
        var clock = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        Volatile.Write(ref measuring, false);
        var elapsed = clock.Elapsed.TotalSeconds;
        Volatile.Write(ref stop, true);
        await Task.WhenAll(workers);

        var all = samples.SelectMany(s => s).Order().ToArray();
        double Micros(double q) => all.Length == 0 ? 0 : all[(int)Math.Min(all.Length - 1, q * all.Length)] * 1e6 / Stopwatch.Frequency;
        return new Result(setup, name, inFlight, counts.Sum() / elapsed, Micros(0.50), Micros(0.99));
    }

    /// <summary>
    /// The gateway's decision for a route handshake: cached (the same credentials again, no grain
    /// call) and uncached (the cache emptied by a spec version change before every call, so each one
    /// asks the cluster grain, which verifies a bcrypt cost-4 hash).
    /// </summary>
    private static async Task<List<Result>> AuthorizationAsync(IGrainFactory grains, int seconds)
    {
        const string conf = "cluster {\n  name: C1\n  authorization { user: r, password: \"$2a$04$vRiyU2O7iCyPj1Ixi7UZFezNboBsMvOaYudWzKQ036mbUvEhfZ1jC\" }\n}\n";
        var cluster = grains.GetGrain<IClusterGrain>("bench/auth");
        await cluster.Import(new ImportRequest(conf, "bench.conf"));
        var authorizer = new RouteAuthorizer(cluster, new AuthFailureLimiter(), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var handshake = new RouteHandshake("r", "", null, "C1", null, null, null, "127.0.0.1:1");
        var results = new List<Result>();
        foreach (var (name, invalidate) in new[] { ("cached", false), ("uncached", true) })
        {
            var version = 0L;
            var result = await MeasureAsync("gateway", $"authorize, {name}", grains, async (_, _) =>
            {
                if (invalidate)
                    authorizer.SpecVersion(++version);
                var (decision, _) = await authorizer.AuthorizeAsync(handshake, null, CancellationToken.None);
                if (!decision.Allowed)
                    throw new InvalidOperationException($"the benchmark's handshake was refused: {decision.Reason}");
            }, 1, seconds);
            Console.WriteLine($"  {result.Call,-20}: {result.CallsPerSecond,10:N0} calls/s  p50 {result.P50Micros,8:N1} µs  p99 {result.P99Micros,8:N1} µs");
            results.Add(result);
        }
        return results;
    }

    private sealed class HostedGrains(IHost host) : IAsyncDisposable
    {
        public IGrainFactory Grains => host.Services.GetRequiredService<IGrainFactory>();

        public async ValueTask DisposeAsync()
        {
            await host.StopAsync();
            host.Dispose();
        }
    }

    private static async Task<HostedGrains> InProcessAsync(string? redis = null)
    {
        var app = SiloHost.Build(new SiloHostOptions
        {
            Redis = redis is null ? null : new RedisSettings(redis),
            Port = 0,
            GatewayPort = 0,
            KeyPrefix = "bench-local",
        });
        await app.StartAsync();
        return new HostedGrains(app);
    }

    private static async Task<HostedGrains> ClientAsync(string redis, string prefix)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(c => c.UseNatsRoutesService(new NatsRoutesClientOptions { Redis = new RedisSettings(redis), KeyPrefix = prefix }));
        var host = builder.Build();
        await host.StartAsync();
        return new HostedGrains(host);
    }

    private sealed record MemoryResult(int Grains, double RssBeforeMiB, double RssAfterMiB, double ImportSeconds);

    /// <summary>Imports <paramref name="count"/> clusters into a real natsroutes silo and reads its resident memory.</summary>
    private static async Task<MemoryResult> ClusterGrainMemoryAsync(string redis, int count)
    {
        const string prefix = "benchmem";
        var silo = DotnetProgram.Start("natsroutes-silo", "Nats.OrleansRoutes.Cli", "natsroutes",
            ["silo", "--redis", redis, "--prefix", prefix, "--port", "0", "--gateway-port", "0", "--health-port", "0"],
            new Dictionary<string, string> { ["NATSROUTES_SECRETS_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) });
        await using var _ = silo;
        await silo.WaitForLineAsync(" ready: grain calls on ", TimeSpan.FromSeconds(60));
        var before = RssMiB(silo.Id);
        await using var client = await NatsRoutesClient.ConnectAsync(new NatsRoutesClientOptions { Redis = new RedisSettings(redis), KeyPrefix = prefix });
        // A bcrypt hash (cost 4) is stored as given: no password hashing slows the import down.
        const string conf = "cluster {\n  name: C1\n  listen: 127.0.0.1:-1\n  authorization { user: r, password: \"$2a$04$vRiyU2O7iCyPj1Ixi7UZFezNboBsMvOaYudWzKQ036mbUvEhfZ1jC\" }\n  pool_size: 3\n}\n";
        var clock = Stopwatch.StartNew();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 32).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
                await client.ImportClusterAsync(new ClusterRef($"tenant{i / 50}", $"c{i % 50}"), conf, "bench.conf");
        }));
        var importSeconds = clock.Elapsed.TotalSeconds;
        await Task.Delay(2000);
        return new MemoryResult(count, before, RssMiB(silo.Id), importSeconds);
    }

    private static double RssMiB(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
        }
        return double.NaN;
    }

    private static string Report(List<Result> results, MemoryResult memory, int seconds)
    {
        var sb = new StringBuilder();
        sb.Append("# Grain calls: measured results\n\n");
        sb.Append(CultureInfo.InvariantCulture, $"Written by `bench/GrainCalls` on {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; {Environment.ProcessorCount} cores, .NET {Environment.Version}; ");
        sb.Append(CultureInfo.InvariantCulture, $"{seconds} s measured per row after 1 s of warm-up. Client, silos and Redis share the machine.\n\n");
        sb.Append("| setup | call | in flight | calls/s | p50 µs | p99 µs |\n|---|---|---:|---:|---:|---:|\n");
        foreach (var r in results)
            sb.Append(CultureInfo.InvariantCulture, $"| {r.Setup} | {r.Call} | {r.InFlight} | {r.CallsPerSecond:N0} | {r.P50Micros:N0} | {r.P99Micros:N0} |\n");
        sb.Append(CultureInfo.InvariantCulture,
            $"\nMemory: {memory.Grains:N0} cluster grains imported in {memory.ImportSeconds:N1} s; silo resident memory {memory.RssBeforeMiB:N0} MiB before, {memory.RssAfterMiB:N0} MiB after ({(memory.RssAfterMiB - memory.RssBeforeMiB) * 1024 / memory.Grains:N1} KiB per cluster grain, tenant grains included).\n");
        return sb.ToString();
    }
}

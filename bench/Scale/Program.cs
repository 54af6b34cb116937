using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Nats.OrleansRoutes.Client;
using Nats.OrleansRoutes.Grains;
using Nats.OrleansRoutes.TestKit;

// One gateway and one silo on a local Redis; clusters are added in steps (10, 100, 1 000 by default)
// without members, and at each step the gateway is measured at idle: grain calls per second (its
// own metric, by call), CPU and memory, and how long it took to serve the new clusters.
if (args is not ["run", .. var rest])
{
    Console.Error.WriteLine("usage: run [--clusters 10,100,1000] [--seconds 20] [--out FILE]");
    return 2;
}
var steps = Option(rest, "--clusters", "10,100,1000").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToList();
var window = TimeSpan.FromSeconds(int.Parse(Option(rest, "--seconds", "20"), CultureInfo.InvariantCulture));
var output = Option(rest, "--out", "docs/benchmarks/scale-idle.md");

await using var redis = await RedisServer.StartAsync();
var prefix = "scale" + Guid.NewGuid().ToString("N")[..6];
var environment = new Dictionary<string, string> { ["NATSROUTES_SECRETS_KEY"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)) };
await using var silo = DotnetProgram.Start("silo", "Nats.OrleansRoutes.Cli", "natsroutes",
    ["silo", "--redis", redis.Endpoint, "--prefix", prefix, "--port", "0", "--gateway-port", "0", "--health-port", "0"], environment);
await silo.WaitForLineAsync(" ready: grain calls on ", TimeSpan.FromSeconds(60));
var host = LoopbackHosts.Next();
await using var gateway = DotnetProgram.Start("gateway", "Nats.OrleansRoutes.Cli", "natsroutes",
    ["gateway", "--redis", redis.Endpoint, "--prefix", prefix, "--id", "gw1", "--host", host,
     "--ports", $"24200-{(24200 + steps.Max() - 1).ToString(CultureInfo.InvariantCulture)}", "--monitor-port", "0"],
    environment);
var ready = await gateway.WaitForLineAsync(" ready: monitoring on ", TimeSpan.FromSeconds(60));
var monitor = ready[ready.IndexOf("http", StringComparison.Ordinal)..].Replace("/routez", "", StringComparison.Ordinal).Trim();
Console.WriteLine($"gateway pid {gateway.Id}, monitoring {monitor}");

await using var client = await NatsRoutesClient.ConnectAsync(new NatsRoutesClientOptions { Redis = new RedisSettings(redis.Endpoint), KeyPrefix = prefix });
using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
await client.SetTenantQuotaAsync("bench", steps.Max());
var results = new List<Step>();
var imported = 0;
foreach (var target in steps)
{
    var clock = Stopwatch.StartNew();
    for (; imported < target; imported++)
    {
        var name = $"c{imported.ToString("D5", CultureInfo.InvariantCulture)}";
        await client.ImportClusterAsync(new ClusterRef("bench", name),
            $"cluster {{\n  name: {name}\n  listen: 127.0.0.1:-1\n  authorization {{ user: r, password: \"bench-pass-{name}\" }}\n}}\n", $"{name}.conf");
    }
    var importSeconds = clock.Elapsed.TotalSeconds;
    while (await ServedAsync() < target)
    {
        if (clock.Elapsed > TimeSpan.FromMinutes(5))
            throw new TimeoutException($"the gateway serves {await ServedAsync()} of {target} clusters after 5 minutes");
        await Task.Delay(200);
    }
    var servedSeconds = clock.Elapsed.TotalSeconds;
    await Task.Delay(TimeSpan.FromSeconds(5)); // renewals and reconciles settle into their idle rhythm

    var (callsBefore, _) = await GrainCallsAsync();
    var statsBefore = ProcessStats.Read(gateway.Id);
    var measured = Stopwatch.StartNew();
    await Task.Delay(window);
    var (callsAfter, byCall) = await GrainCallsAsync();
    var statsAfter = ProcessStats.Read(gateway.Id);
    var seconds = measured.Elapsed.TotalSeconds;
    var step = new Step(target, importSeconds, servedSeconds, (callsAfter - callsBefore) / seconds, byCall,
        (statsAfter.Cpu - statsBefore.Cpu).TotalSeconds / seconds * 100, statsAfter.RssBytes);
    results.Add(step);
    Console.WriteLine($"{target} clusters: served {servedSeconds:F1} s after the first import; idle {step.CallsPerSecond:F1} grain calls/s, CPU {step.CpuPercent:F1} %, RSS {step.RssBytes / 1048576} MiB");
}

await File.WriteAllTextAsync(Path.Combine(RepoPaths.Root, output), Report(results, window));
Console.WriteLine($"report written to {output}");
return 0;

async Task<int> ServedAsync()
{
    using var routez = JsonDocument.Parse(await http.GetStringAsync($"{monitor}/routez"));
    return routez.RootElement.GetProperty("clusters").GetArrayLength();
}

// The gateway's grain calls so far: the total and per call, from its Prometheus metrics.
async Task<(double Total, Dictionary<string, double> ByCall)> GrainCallsAsync()
{
    var text = await http.GetStringAsync($"{monitor}/metrics");
    var byCall = new Dictionary<string, double>(StringComparer.Ordinal);
    foreach (var line in text.Split('\n').Where(l => l.StartsWith("natsroutes_gateway_grain_call_duration_milliseconds_count", StringComparison.Ordinal)
        || l.StartsWith("natsroutes_gateway_grain_call_duration_count", StringComparison.Ordinal)))
    {
        var call = line[(line.IndexOf("call=\"", StringComparison.Ordinal) + 6)..];
        call = call[..call.IndexOf('"', StringComparison.Ordinal)];
        byCall[call] = double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
    }
    return (byCall.Values.Sum(), byCall);
}

static string Option(string[] args, string name, string fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
}

static string Report(List<Step> steps, TimeSpan window)
{
    var c = CultureInfo.InvariantCulture;
    var text = new StringBuilder();
    text.AppendLine("# Scale benchmark: one gateway at idle");
    text.AppendLine();
    text.AppendLine(c, $"Written by `bench/Scale` on {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; {Environment.ProcessorCount} cores. One silo, one gateway, a local Redis;");
    text.AppendLine(c, $"clusters without members, added in steps; each step measured over {window.TotalSeconds:0} s of idle after 5 s of settling.");
    text.AppendLine();
    text.AppendLine("| clusters served | imported in | all served after | gateway grain calls/s | gateway CPU | gateway RSS |");
    text.AppendLine("|---:|---:|---:|---:|---:|---:|");
    foreach (var s in steps)
        text.AppendLine(c, $"| {s.Clusters:N0} | {s.ImportSeconds:F1} s | {s.ServedSeconds:F1} s | {s.CallsPerSecond:F1} | {s.CpuPercent:F1} % of a core | {s.RssBytes / 1048576} MiB |");
    text.AppendLine();
    text.AppendLine("Grain calls by call at the end (cumulative since the gateway started):");
    text.AppendLine();
    foreach (var (call, count) in steps[^1].ByCall.OrderByDescending(c => c.Value))
        text.AppendLine(c, $"* `{call}`: {count:N0}");
    return text.ToString();
}

internal sealed record Step(int Clusters, double ImportSeconds, double ServedSeconds, double CallsPerSecond,
    Dictionary<string, double> ByCall, double CpuPercent, long RssBytes);

using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Nats.OrleansRoutes.Bench.Scale;
using Nats.OrleansRoutes.Client;
using Nats.OrleansRoutes.Grains;
using Nats.OrleansRoutes.TestKit;
using NatsServer = Nats.OrleansRoutes.TestKit.Nats.NatsServerProcess;

// One gateway and one silo on a local Redis; clusters are added in steps (10, 100, 1 000 by default)
// without members, and at each step the gateway is measured at idle: grain calls per second (its
// own metric, by call), CPU and memory, and how long it took to serve the new clusters. Then every
// cluster gets simulated members; idle again, interest propagation, and a kill -9 failover.
if (args is not ["run", .. var rest])
{
    Console.Error.WriteLine("usage: run [--clusters 10,100,1000] [--members 3] [--subscriptions 100000] [--seconds 20] [--out FILE]");
    return 2;
}
var steps = Option(rest, "--clusters", "10,100,1000").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToList();
var window = TimeSpan.FromSeconds(int.Parse(Option(rest, "--seconds", "20"), CultureInfo.InvariantCulture));
var output = Option(rest, "--out", "docs/benchmarks/scale.md");
var membersPerCluster = int.Parse(Option(rest, "--members", "3"), CultureInfo.InvariantCulture);
var subscriptions = int.Parse(Option(rest, "--subscriptions", "100000"), CultureInfo.InvariantCulture);

await using var redis = await RedisServer.StartAsync();
var prefix = "scale" + Guid.NewGuid().ToString("N")[..6];
var environment = new Dictionary<string, string> { ["NATSROUTES_SECRETS_KEY"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)) };
await using var silo = DotnetProgram.Start("silo", "Nats.OrleansRoutes.Cli", "natsroutes",
    ["silo", "--redis", redis.Endpoint, "--prefix", prefix, "--port", "0", "--gateway-port", "0", "--health-port", "0"], environment);
await silo.WaitForLineAsync(" ready: grain calls on ", TimeSpan.FromSeconds(60));
var host = LoopbackHosts.Next();
// One route port per cluster, below the kernel's ephemeral range (32768+), so 10 000 of them never
// meet a port the machine handed to an outgoing connection.
var routePorts = $"20000-{(20000 + steps.Max() - 1).ToString(CultureInfo.InvariantCulture)}";
var gatewayEnvironment = new Dictionary<string, string>(environment);
DotnetProgram.AddBenchSettings(gatewayEnvironment);
await using var gateway = DotnetProgram.Start("gateway", "Nats.OrleansRoutes.Cli", "natsroutes",
    ["gateway", "--redis", redis.Endpoint, "--prefix", prefix, "--id", "gw1", "--host", host,
     "--ports", routePorts, "--monitor-port", "0"],
    gatewayEnvironment);
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
    // A few at a time, as operators' tooling would: each import hashes the route password (PBKDF2).
    await Parallel.ForEachAsync(Enumerable.Range(imported, target - imported), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, _) =>
    {
        var name = $"c{i.ToString("D5", CultureInfo.InvariantCulture)}";
        await client.ImportClusterAsync(new ClusterRef("bench", name),
            $"cluster {{\n  name: {name}\n  listen: 127.0.0.1:-1\n  authorization {{ user: r, password: \"bench-pass-{name}\" }}\n}}\n", $"{name}.conf");
    });
    imported = target;
    var importSeconds = clock.Elapsed.TotalSeconds;
    var serveLimit = TimeSpan.FromSeconds(Math.Max(300, target / 10));
    while (await ServedAsync() < target)
    {
        if (clock.Elapsed > serveLimit)
            throw new TimeoutException($"the gateway serves {await ServedAsync()} of {target} clusters after {serveLimit.TotalMinutes:0} minutes");
        await Task.Delay(200);
    }
    var servedSeconds = clock.Elapsed.TotalSeconds;
    // Renewals and reconciles settle into their idle rhythm (the silo's last placements take a while at 10 000).
    await Task.Delay(TimeSpan.FromSeconds(Math.Max(5, target / 500)));

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

// Members: simulated route peers (pool of 3 and $SYS each) for every cluster, then idle again.
MembersResult? withMembers = null;
if (membersPerCluster > 0)
{
    var ports = new List<(string Name, int Port)>();
    for (var i = 0; i < imported; i++)
    {
        var name = $"c{i.ToString("D5", CultureInfo.InvariantCulture)}";
        ports.Add((name, (await client.GetClusterAsync(new ClusterRef("bench", name))).Placement!.Port));
    }
    var clock = Stopwatch.StartNew();
    var members = new List<SimulatedMember>();
    // First one member per cluster, a few at a time: each cluster's first route costs one PBKDF2
    // verification in its grain (then the gateway caches the decision), and members that miss the
    // 2 s authorization timeout are not redialled by this simulation. Then the others.
    foreach (var (range, parallel) in new[] { (Enumerable.Range(0, 1), 4), (Enumerable.Range(1, membersPerCluster - 1), 32) })
    {
        using var gate = new SemaphoreSlim(parallel);
        await Task.WhenAll(ports.SelectMany(p => range.Select(async m =>
        {
            await gate.WaitAsync();
            try
            {
                var member = await SimulatedMember.ConnectAsync(host, p.Port, p.Name, $"{p.Name}-m{m}", "r", $"bench-pass-{p.Name}");
                await member.RegisteredAsync();
                lock (members)
                    members.Add(member);
            }
            finally
            {
                gate.Release();
            }
        })));
    }
    var expected = imported * membersPerCluster * 4;
    while (await ConnectionsAsync() < expected)
    {
        if (clock.Elapsed > TimeSpan.FromMinutes(10))
            throw new TimeoutException($"{await ConnectionsAsync()} of {expected} route connections registered after 10 minutes");
        await Task.Delay(1000);
    }
    var registeredSeconds = clock.Elapsed.TotalSeconds;
    Console.WriteLine($"{members.Count} members, {expected} route connections registered after {registeredSeconds:F1} s");
    // Members with client URLs dial the URL routes the gateway offers them: one per ordered pair.
    var expectedUrlRoutes = imported * membersPerCluster * (membersPerCluster - 1);
    while (members.Sum(m => m.UrlRoutes) < expectedUrlRoutes)
    {
        if (clock.Elapsed > TimeSpan.FromMinutes(10))
            throw new TimeoutException($"{members.Sum(m => m.UrlRoutes)} of {expectedUrlRoutes} URL routes open after 10 minutes");
        await Task.Delay(1000);
    }
    var urlRoutesSeconds = clock.Elapsed.TotalSeconds;
    Console.WriteLine($"{expectedUrlRoutes} URL routes open after {urlRoutesSeconds:F1} s");
    await Task.Delay(TimeSpan.FromSeconds(10));
    var (before, _) = await GrainCallsAsync();
    var gcBefore = await GcAsync();
    var statsBefore = ProcessStats.Read(gateway.Id);
    var measured = Stopwatch.StartNew();
    await Task.Delay(window);
    var (after, _) = await GrainCallsAsync();
    var statsAfter = ProcessStats.Read(gateway.Id);
    var gc = (await GcAsync()).Since(gcBefore, measured.Elapsed);
    var idleCpu = (statsAfter.Cpu - statsBefore.Cpu).TotalSeconds / measured.Elapsed.TotalSeconds * 100;
    var idleCalls = (after - before) / measured.Elapsed.TotalSeconds;
    Console.WriteLine($"idle with members: {idleCalls:F1} grain calls/s, CPU {idleCpu:F1} %, RSS {statsAfter.RssBytes / 1048576} MiB; {gc}");

    // Interest: one member of the first cluster announces many subscriptions; a member that joins
    // afterwards must be told all of them.
    var first = members.Where(m => m.ServerName.StartsWith("c00000-", StringComparison.Ordinal)).OrderBy(m => m.ServerName, StringComparer.Ordinal).ToList();
    await first[0].SubscribeAsync(Enumerable.Range(0, subscriptions).Select(i => $"bench.interest.{i.ToString(CultureInfo.InvariantCulture)}"));
    var spread = Stopwatch.StartNew();
    while (first[1].InterestReceived < subscriptions && spread.Elapsed < TimeSpan.FromMinutes(2))
        await Task.Delay(20);
    var spreadSeconds = spread.Elapsed.TotalSeconds;
    var joined = Stopwatch.StartNew();
    await using var late = await SimulatedMember.ConnectAsync(host, ports[0].Port, ports[0].Name, "c00000-late", "r", $"bench-pass-{ports[0].Name}");
    while (late.InterestReceived < subscriptions && joined.Elapsed < TimeSpan.FromMinutes(2))
        await Task.Delay(10);
    var lateSeconds = joined.Elapsed.TotalSeconds;
    Console.WriteLine($"{subscriptions} subscriptions: to the other members in {spreadSeconds:F2} s, to a new member in {lateSeconds:F2} s ({late.InterestReceived} received)");

    // The check on the simulation: a real nats-server 2.15.1 joins the same cluster with the
    // configuration member-config writes, and must get the same interest (its own /subsz counts it).
    var realClock = Stopwatch.StartNew();
    var realConfig = await client.GetMemberConfigAsync(new ClusterRef("bench", ports[0].Name), "c00000-real",
        $"127.0.0.1:{FreePorts.Next().ToString(CultureInfo.InvariantCulture)}", $"bench-pass-{ports[0].Name}", serverVersion: NatsServerBinaries.V2_15);
    await using var real = await NatsServer.StartAsync(NatsServerBinaries.V2_15, "c00000-real", realConfig);
    var realStarted = realClock.Elapsed.TotalSeconds;
    var realReceived = 0L;
    while (realClock.Elapsed < TimeSpan.FromMinutes(2))
    {
        using var subsz = await real.MonitorAsync("subsz?acc=%24G");
        realReceived = subsz.RootElement.GetProperty("num_subscriptions").GetInt64();
        if (realReceived >= subscriptions)
            break;
        await Task.Delay(20);
    }
    var realSeconds = realClock.Elapsed.TotalSeconds - realStarted;
    Console.WriteLine($"{subscriptions} subscriptions to a real 2.15.1 member that joined afterwards: {realSeconds:F2} s after it was ready ({realReceived} in its /subsz)");
    var peak = ProcessStats.Read(gateway.Id);

    // Failover: a second gateway starts, the first is killed (kill -9); every cluster must be served
    // again, and every member's routes must reach the second gateway (members redial both gateways,
    // 1 s apart, as nats-server redials the route URLs member-config lists).
    var secondHost = LoopbackHosts.Next();
    await using var second = DotnetProgram.Start("gateway2", "Nats.OrleansRoutes.Cli", "natsroutes",
        ["gateway", "--redis", redis.Endpoint, "--prefix", prefix, "--id", "gw2", "--host", secondHost,
         "--ports", routePorts, "--monitor-port", "0"], gatewayEnvironment);
    foreach (var member in members)
        member.AddGateway(secondHost);
    var secondReady = await second.WaitForLineAsync(" ready: monitoring on ", TimeSpan.FromSeconds(60));
    var secondMonitor = secondReady[secondReady.IndexOf("http", StringComparison.Ordinal)..].Replace("/routez", "", StringComparison.Ordinal).Trim();
    await Task.Delay(TimeSpan.FromSeconds(3)); // registered in the directory
    var killed = Stopwatch.StartNew();
    gateway.Kill();
    double? firstServedSeconds = null;
    for (var served = 0; served < imported && killed.Elapsed < TimeSpan.FromMinutes(3); await Task.Delay(250))
    {
        served = await ServedAtAsync(secondMonitor);
        if (served > 0)
            firstServedSeconds ??= killed.Elapsed.TotalSeconds;
    }
    var failoverSeconds = killed.Elapsed.TotalSeconds;
    Console.WriteLine($"kill -9: {await ServedAtAsync(secondMonitor)} of {imported} clusters served by the second gateway after {failoverSeconds:F1} s (the first after {firstServedSeconds ?? double.NaN:F1} s)");
    // When 90 % and 99 % were back: a few stragglers and a slow majority are different faults.
    double? ninetySeconds = null, ninetyNineSeconds = null;
    for (int back; (back = await ConnectionsAtAsync(secondMonitor)) < expected && killed.Elapsed < TimeSpan.FromMinutes(5); await Task.Delay(1000))
    {
        if (back >= expected * 0.9)
            ninetySeconds ??= killed.Elapsed.TotalSeconds;
        if (back >= expected * 0.99)
            ninetyNineSeconds ??= killed.Elapsed.TotalSeconds;
    } // /routez of 12 000 connections is not free: not too often during the storm
    var reconnectedSeconds = killed.Elapsed.TotalSeconds;
    var reconnected = await ConnectionsAtAsync(secondMonitor);
    Console.WriteLine($"kill -9: {reconnected} of {expected} member route connections registered at the second gateway after {reconnectedSeconds:F1} s (90 % after {ninetySeconds ?? reconnectedSeconds:F1} s, 99 % after {ninetyNineSeconds ?? reconnectedSeconds:F1} s)");
    var refusals = await HandshakeFailuresAsync(secondMonitor);
    var waits = await HandshakeWaitsAsync(secondMonitor);
    Console.WriteLine($"the second gateway's handshake refusals by reason: {(refusals.Count == 0 ? "none" : string.Join(", ", refusals.Select(r => $"{r.Key} {r.Value:N0}")))}; connections that waited for a handshake slot: {waits:N0}");
    withMembers = new MembersResult(members.Count, expected, registeredSeconds, expectedUrlRoutes, urlRoutesSeconds, idleCalls, idleCpu, gc, statsAfter.RssBytes, peak.PeakRssBytes,
        subscriptions, spreadSeconds, lateSeconds, late.InterestReceived, realSeconds, realReceived, firstServedSeconds ?? double.NaN, failoverSeconds, reconnected, reconnectedSeconds, ninetySeconds ?? reconnectedSeconds, ninetyNineSeconds ?? reconnectedSeconds, refusals, waits);
    foreach (var member in members)
        await member.DisposeAsync();
}

await File.WriteAllTextAsync(Path.Combine(RepoPaths.Root, output), Report(results, window) + (withMembers is null ? "" : MembersReport(withMembers)));
Console.WriteLine($"report written to {output}");
return 0;

async Task<int> ServedAsync() => await ServedAtAsync(monitor);

async Task<int> ServedAtAsync(string at)
{
    try
    {
        using var routez = JsonDocument.Parse(await http.GetStringAsync($"{at}/routez"));
        return routez.RootElement.GetProperty("clusters").EnumerateArray().Count(c => c.GetProperty("state").GetString() == "serving");
    }
    catch (HttpRequestException)
    {
        return 0;
    }
}

// Registered route connections on the first gateway, over every cluster and member.
async Task<int> ConnectionsAsync() => await ConnectionsAtAsync(monitor);

async Task<int> ConnectionsAtAsync(string at)
{
    try
    {
        using var routez = JsonDocument.Parse(await http.GetStringAsync($"{at}/routez"));
        return routez.RootElement.GetProperty("clusters").EnumerateArray()
            .Sum(c => c.GetProperty("members").EnumerateArray().Sum(m => m.GetProperty("connections").GetArrayLength()));
    }
    catch (HttpRequestException)
    {
        return 0;
    }
}

// A gateway's refused handshakes so far, by reason, from its Prometheus metrics.
async Task<Dictionary<string, double>> HandshakeFailuresAsync(string at) =>
    PrometheusText.Samples(await http.GetStringAsync($"{at}/metrics"))
        .Where(s => s.Sample.StartsWith("natsroutes_gateway_handshake_failures_total{", StringComparison.Ordinal))
        .ToDictionary(s => PrometheusText.Label(s.Sample, "reason") ?? "", s => s.Value, StringComparer.Ordinal);

// Connections a gateway accepted while every handshake slot was taken, from its Prometheus metrics.
async Task<double> HandshakeWaitsAsync(string at) =>
    PrometheusText.Value(await http.GetStringAsync($"{at}/metrics"), "natsroutes_gateway_handshake_waits_total") ?? 0;

// The gateway's grain calls so far: the total and per call, from its Prometheus metrics.
async Task<(double Total, Dictionary<string, double> ByCall)> GrainCallsAsync()
{
    var byCall = PrometheusText.Samples(await http.GetStringAsync($"{monitor}/metrics"))
        .Where(s => s.Sample.StartsWith("natsroutes_gateway_grain_call_duration_milliseconds_count", StringComparison.Ordinal)
            || s.Sample.StartsWith("natsroutes_gateway_grain_call_duration_count", StringComparison.Ordinal))
        .ToDictionary(s => PrometheusText.Label(s.Sample, "call") ?? "", s => s.Value, StringComparer.Ordinal);
    return (byCall.Values.Sum(), byCall);
}

// The gateway's GC so far, from the runtime's measures on its /metrics.
async Task<GcTotals> GcAsync()
{
    var text = await http.GetStringAsync($"{monitor}/metrics");
    double Collections(string generation) => PrometheusText.Value(text, $"dotnet_gc_collections_total{{gc_heap_generation=\"{generation}\"}}") ?? 0;
    return new GcTotals(Collections("gen0"), Collections("gen1"), Collections("gen2"),
        PrometheusText.Value(text, "dotnet_gc_pause_time_seconds_total") ?? 0, PrometheusText.Value(text, "dotnet_gc_heap_total_allocated_bytes_total") ?? 0,
        PrometheusText.Sum(text, "dotnet_exceptions_total"));
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
    text.AppendLine(c, $"clusters without members, added in steps; each step measured over {window.TotalSeconds:0} s of idle after 5 s of settling (1 s more per 500 clusters above 2 500).");
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

static string MembersReport(MembersResult m)
{
    var c = CultureInfo.InvariantCulture;
    var text = new StringBuilder();
    text.AppendLine();
    text.AppendLine("## With members");
    text.AppendLine();
    text.AppendLine(c, $"Every cluster gets simulated members (the project's route codec: pool of 3 and $SYS each, PONG to PING, a PING every 30 s on each connection as nats-server sends on routes, no subscriptions, a client URL each): {m.Members:N0} members, {m.Connections:N0} route connections,");
    text.AppendLine(c, $"and the {m.UrlRoutes:N0} URL routes the members dial when the gateway offers them (one per ordered pair of members, how they learn each other's client URLs): {m.Connections + m.UrlRoutes:N0} connections in all.");
    text.AppendLine();
    text.AppendLine("| measure | value | target |");
    text.AppendLine("|---|---:|---:|");
    text.AppendLine(c, $"| all members' connections registered after | {m.RegisteredSeconds:F1} s | |");
    text.AppendLine(c, $"| all URL routes open after | {m.UrlRoutesSeconds:F1} s | |");
    text.AppendLine(c, $"| idle grain calls/s | {m.IdleCalls:F1} | |");
    text.AppendLine(c, $"| idle gateway CPU | {m.IdleCpu:F1} % of a core | ≤ 5 % |");
    text.AppendLine(c, $"| the gateway's GC at idle | {m.IdleGc} | |");
    text.AppendLine(c, $"| gateway RSS (peak) | {m.RssBytes / 1048576} MiB ({m.PeakRssBytes / 1048576} MiB) | ≤ 2 GiB |");
    text.AppendLine(c, $"| {m.Subscriptions:N0} subscriptions of one member to the others | {m.SpreadSeconds:F2} s | |");
    text.AppendLine(c, $"| the same to a member that joins afterwards | {m.LateSeconds:F2} s ({m.LateReceived:N0} received) | ≤ 2 s |");
    text.AppendLine(c, $"| the same to a real nats-server 2.15.1 that joins afterwards (from ready to its /subsz) | {m.RealSeconds:F2} s ({m.RealReceived:N0} in /subsz) | ≤ 2 s |");
    text.AppendLine(c, $"| the first cluster served by a second gateway after kill -9 of the first (the lease and the directory's gateway timeout run out) | {m.FirstServedSeconds:F1} s | |");
    text.AppendLine(c, $"| every cluster served by a second gateway after kill -9 of the first | {m.FailoverSeconds:F1} s | ≤ lease (15 s) + 10 s |");
    text.AppendLine(c, $"| every member route connection registered at the second gateway after the kill | {m.ReconnectedSeconds:F1} s ({m.Reconnected:N0} of {m.Connections:N0}; 90 % after {m.NinetySeconds:F1} s, 99 % after {m.NinetyNineSeconds:F1} s) | |");
    text.AppendLine();
    text.AppendLine("After the kill the simulated members redial each route every second at both gateways' addresses (only the holder of a cluster listens on its port), as nats-server redials the route URLs member-config lists.");
    text.AppendLine(c, $"Handshakes the second gateway refused meanwhile, by reason: {(m.Refusals.Count == 0 ? "none" : string.Join(", ", m.Refusals.Select(r => $"`{r.Key}` {r.Value.ToString("N0", c)}")))}; connections that waited for a handshake slot (`--max-handshakes`): {m.HandshakeWaits.ToString("N0", c)}.");
    return text.ToString();
}

internal sealed record MembersResult(int Members, int Connections, double RegisteredSeconds, int UrlRoutes, double UrlRoutesSeconds, double IdleCalls, double IdleCpu, GcRates IdleGc, long RssBytes,
    long PeakRssBytes, int Subscriptions, double SpreadSeconds, double LateSeconds, long LateReceived, double RealSeconds, long RealReceived,
    double FirstServedSeconds, double FailoverSeconds, int Reconnected, double ReconnectedSeconds, double NinetySeconds, double NinetyNineSeconds, Dictionary<string, double> Refusals,
    double HandshakeWaits);

internal sealed record Step(int Clusters, double ImportSeconds, double ServedSeconds, double CallsPerSecond,
    Dictionary<string, double> ByCall, double CpuPercent, long RssBytes);

/// <summary>Cumulative GC measures of a process (collections by generation, pause time, bytes allocated) and its exceptions thrown.</summary>
internal sealed record GcTotals(double Gen0, double Gen1, double Gen2, double PauseSeconds, double AllocatedBytes, double Exceptions)
{
    public GcRates Since(GcTotals before, TimeSpan elapsed) => new(
        (Gen0 - before.Gen0) / elapsed.TotalSeconds, (Gen1 - before.Gen1) / elapsed.TotalSeconds, Gen2 - before.Gen2,
        (PauseSeconds - before.PauseSeconds) / elapsed.TotalSeconds * 100, (AllocatedBytes - before.AllocatedBytes) / elapsed.TotalSeconds / 1048576,
        (Exceptions - before.Exceptions) / elapsed.TotalSeconds);
}

/// <summary>GC over a measured window (collections per second, gen2 collections in all, the share of the time paused, MiB allocated per second) and exceptions per second.</summary>
internal sealed record GcRates(double Gen0PerSecond, double Gen1PerSecond, double Gen2, double PausedPercent, double AllocatedMiBPerSecond, double ExceptionsPerSecond)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"GC {Gen0PerSecond:F2} gen0/s, {Gen1PerSecond:F2} gen1/s, {Gen2:F0} gen2, paused {PausedPercent:F2} % of the time, {AllocatedMiBPerSecond:F2} MiB/s allocated, {ExceptionsPerSecond:F1} exceptions/s");
}

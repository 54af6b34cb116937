using System.Globalization;
using Nats.OrleansRoutes.TestKit;
using Nats.OrleansRoutes.Bench.Relay;

// bench/Relay: throughput and request/reply latency between two nats-servers through the gateway,
// on a direct route and through haproxy in tcp mode, measured in alternating runs.
var options = RelayOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("usage: run [--seconds N] [--runs N] [--sizes 16,128,1024,16384] [--setups gateway,direct,haproxy-l4,gateway-s2,direct-s2] [--payload random|json] [--out FILE] [--hold]");
    return 2;
}

var setups = new List<RelaySetup>();
foreach (var name in options.Setups)
{
    RelaySetup setup = name switch
    {
        "gateway" => new GatewaySetup(compression: null),
        "direct" => new DirectSetup(compression: null),
        "gateway-s2" => new GatewaySetup(compression: "s2_fast"),
        "direct-s2" => new DirectSetup(compression: "s2_fast"),
        "haproxy-l4" => new L4Setup(),
        _ => throw new ArgumentException($"unknown setup {name}"),
    };
    setups.Add(setup);
}

try
{
    foreach (var setup in setups)
    {
        Console.WriteLine($"starting {setup.Name}…");
        await setup.StartAsync();
    }
    if (options.Hold)
    {
        // For profiling by hand: print the pids and keep the setups busy with throughput runs only.
        foreach (var setup in setups)
            Console.WriteLine($"{setup.Name}: middle pid {setup.MiddlePid?.ToString(CultureInfo.InvariantCulture) ?? "-"}");
        for (var run = 0; run < options.Runs; run++)
        {
            foreach (var setup in setups)
            {
                foreach (var size in options.Sizes)
                    Console.WriteLine(await Measurements.ThroughputAsync(setup, size, run, options.Window, options.Payload));
            }
        }
        return 0;
    }

    // Warm-up, discarded: the gateway's code is JIT-compiled in tiers, and a cold first run would
    // measure the compiler, not the relay.
    foreach (var setup in setups)
    {
        foreach (var size in options.Sizes)
            await Measurements.ThroughputAsync(setup, size, -1, TimeSpan.FromSeconds(1), options.Payload);
        await Measurements.LatencyAsync(setup, -1, TimeSpan.FromSeconds(1));
    }

    var throughput = new List<ThroughputResult>();
    var latency = new List<LatencyResult>();
    for (var run = 0; run < options.Runs; run++)
    {
        foreach (var size in options.Sizes)
        {
            // Alternate the order so drift on the machine does not favour one setup.
            var order = run % 2 == 0 ? setups : Enumerable.Reverse(setups).ToList();
            foreach (var setup in order)
            {
                var result = await Measurements.ThroughputAsync(setup, size, run, options.Window, options.Payload);
                throughput.Add(result);
                var wire = result.WireBytesPerMessage is { } w ? $"  wire {w:F0} B/msg" : "";
                Console.WriteLine($"run {run} {size,6} B {setup.Name,-10} {result.MessagesPerSecond,12:N0} msg/s  lost {result.Published - result.Received}  middle cpu {result.MiddleCpuPercent:F0}%{wire}");
            }
        }
        foreach (var setup in run % 2 == 0 ? setups : Enumerable.Reverse(setups).ToList())
        {
            var result = await Measurements.LatencyAsync(setup, run, options.Window);
            latency.Add(result);
            Console.WriteLine($"run {run} request/reply {setup.Name,-10} A→B p50 {result.P50AtoB:F0} µs p99 {result.P99AtoB:F0} µs   B→A p50 {result.P50BtoA:F0} µs p99 {result.P99BtoA:F0} µs");
        }
    }

    var peak = setups.OfType<GatewaySetup>().FirstOrDefault()?.MiddlePid is { } gatewayPid ? ProcessStats.Read(gatewayPid).PeakRssBytes : 0;
    var report = RelayReport.Write(options, throughput, latency, peak);
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(options.Out))!);
    await File.WriteAllTextAsync(options.Out, report);
    Console.WriteLine($"report written to {options.Out}");
    return 0;
}
finally
{
    foreach (var setup in setups)
        await setup.DisposeAsync();
}

/// <summary>Command-line options of the relay benchmark.</summary>
internal sealed record RelayOptions(TimeSpan Window, int Runs, IReadOnlyList<int> Sizes, IReadOnlyList<string> Setups, string Out, bool Hold,
    PayloadKind Payload)
{
    public static RelayOptions? Parse(string[] args)
    {
        if (args.Length == 0 || args[0] != "run")
            return null;
        var window = TimeSpan.FromSeconds(3);
        var runs = 5;
        int[] sizes = [16, 128, 1024, 16384];
        string[] setups = ["gateway", "direct", "haproxy-l4"];
        var output = Path.Combine("docs", "benchmarks", "relay.md");
        var hold = false;
        var payload = PayloadKind.Random;
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--seconds":
                    window = TimeSpan.FromSeconds(double.Parse(args[++i], CultureInfo.InvariantCulture));
                    break;
                case "--runs":
                    runs = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--sizes":
                    sizes = [.. args[++i].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))];
                    break;
                case "--setups":
                    setups = args[++i].Split(',');
                    break;
                case "--out":
                    output = args[++i];
                    break;
                case "--hold":
                    hold = true;
                    break;
                case "--payload":
                    payload = Enum.Parse<PayloadKind>(args[++i], ignoreCase: true);
                    break;
                default:
                    return null;
            }
        }
        return new RelayOptions(window, runs, sizes, setups, output, hold, payload);
    }
}

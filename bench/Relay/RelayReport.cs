using System.Globalization;
using System.Text;

namespace Nats.OrleansRoutes.Bench.Relay;

/// <summary>The markdown report: medians per setup and payload size, ratios to the direct route, latency, gateway resources.</summary>
internal static class RelayReport
{
    public static string Write(RelayOptions options, List<ThroughputResult> throughput, List<LatencyResult> latency, long gatewayPeakRss)
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine("# Relay benchmark results");
        text.AppendLine();
        text.AppendLine(c, $"Written by `bench/Relay` on {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; {Environment.ProcessorCount} cores. Medians of {options.Runs} alternating runs of {options.Window.TotalSeconds:0.#} s each (after 0.5 s warm-up).");
        text.AppendLine(c, $"Two nats-server 2.15.1 members A and B; publisher on A, subscriber on B, one subject; {(options.Payload == PayloadKind.Json ? "JSON-like (compressible)" : "random (incompressible)")} payloads; the benchmark's own");
        text.AppendLine("clients run on the same cores as the servers, the gateway and haproxy.");
        text.AppendLine();
        text.AppendLine("## Throughput (messages/s received on B)");
        text.AppendLine();
        var setups = throughput.Select(r => r.Setup).Distinct().ToList();
        // The gateway and the direct route, plain or with S2 ("gateway-s2", "direct-s2").
        var gatewaySetup = setups.FirstOrDefault(s => s.StartsWith("gateway", StringComparison.Ordinal));
        var directSetup = setups.FirstOrDefault(s => s.StartsWith("direct", StringComparison.Ordinal));
        var l4Setup = setups.FirstOrDefault(s => s == "haproxy-l4");
        var wire = throughput.Any(r => r.WireBytesPerMessage is not null);
        text.Append("| payload |");
        foreach (var setup in setups)
            text.Append(c, $" {setup} |");
        if (gatewaySetup is not null && directSetup is not null)
            text.Append(c, $" {gatewaySetup} / {directSetup} |");
        if (gatewaySetup is not null && l4Setup is not null)
            text.Append(c, $" {gatewaySetup} / haproxy |");
        text.AppendLine(wire ? " gateway CPU | CPU s per million msgs | gateway → B on the wire | runs (msg/s) |" : " gateway CPU | CPU s per million msgs | runs (msg/s) |");
        text.Append("|---|");
        foreach (var _ in setups)
            text.Append("---:|");
        if (gatewaySetup is not null && directSetup is not null)
            text.Append("---:|");
        if (gatewaySetup is not null && l4Setup is not null)
            text.Append("---:|");
        text.AppendLine(wire ? "---:|---|---:|---|" : "---:|---|---|");
        foreach (var size in throughput.Select(r => r.Size).Distinct().Order())
        {
            var medians = setups.ToDictionary(s => s, s => Median(throughput.Where(r => r.Setup == s && r.Size == size).Select(r => r.MessagesPerSecond)));
            text.Append(c, $"| {Size(size)} |");
            foreach (var setup in setups)
                text.Append(c, $" {medians[setup]:N0} |");
            if (gatewaySetup is not null && directSetup is not null)
                text.Append(c, $" {medians[gatewaySetup] / medians[directSetup]:0.00}× |");
            if (gatewaySetup is not null && l4Setup is not null)
                text.Append(c, $" {medians[gatewaySetup] / medians[l4Setup]:0.00}× |");
            var cpu = Median(throughput.Where(r => r.Setup == gatewaySetup && r.Size == size).Select(r => r.MiddleCpuPercent));
            text.Append(c, $" {cpu:0}% |");
            // What each relay in the middle spends per message: the median over runs of CPU share / rate.
            var middles = setups.Where(s => s == gatewaySetup || s == l4Setup).Select(s => string.Create(c,
                $"{s} {Median(throughput.Where(r => r.Setup == s && r.Size == size).Select(r => r.MiddleCpuPercent / 100 / r.MessagesPerSecond * 1e6)):0.00}"));
            text.Append(' ').Append(string.Join(", ", middles)).Append(" |");
            if (wire)
            {
                var perMessage = Median(throughput.Where(r => r.Setup == gatewaySetup && r.Size == size && r.WireBytesPerMessage is not null)
                    .Select(r => r.WireBytesPerMessage!.Value));
                text.Append(c, $" {perMessage:0} B/msg |");
            }
            text.Append(' ').Append(string.Join("; ", setups.Select(s => s + " " + string.Join(", ",
                throughput.Where(r => r.Setup == s && r.Size == size).Select(r => (r.MessagesPerSecond / 1000).ToString("0", c) + "k"))))).AppendLine(" |");
        }
        var lost = throughput.Where(r => r.Published != r.Received).ToList();
        text.AppendLine();
        if (Measurements.RepeatedRuns > 0)
            text.AppendLine(c, $"{Measurements.RepeatedRuns} run(s) were repeated because nats-server B cut off the benchmark's own subscriber as a slow consumer (it shares the cores with everything else).").AppendLine();
        text.AppendLine(lost.Count == 0
            ? "Every published message was received in every run (counted after the publisher stopped)."
            : "Runs where B received fewer messages than A accepted: " + string.Join(", ",
                lost.Select(r => string.Create(c, $"{r.Setup} {Size(r.Size)} run {r.Run}: {r.Published - r.Received} of {r.Published}"))));
        text.AppendLine();
        text.AppendLine("## Request/reply round trip (µs)");
        text.AppendLine();
        text.AppendLine("| setup | A→B p50 | A→B p99 | B→A p50 | B→A p99 |");
        text.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var setup in latency.Select(l => l.Setup).Distinct())
        {
            var runs = latency.Where(l => l.Setup == setup).ToList();
            text.AppendLine(c, $"| {setup} | {Median(runs.Select(r => r.P50AtoB)):0} | {Median(runs.Select(r => r.P99AtoB)):0} | {Median(runs.Select(r => r.P50BtoA)):0} | {Median(runs.Select(r => r.P99BtoA)):0} |");
        }
        text.AppendLine();
        text.AppendLine("## Gateway memory");
        text.AppendLine();
        var rss = throughput.Where(r => r.Setup == gatewaySetup).Select(r => r.MiddleRssBytes).DefaultIfEmpty().Max();
        text.AppendLine(c, $"Resident set after the runs: {rss / (1024.0 * 1024):0} MiB at most; peak (VmHWM) over the whole benchmark: {gatewayPeakRss / (1024.0 * 1024):0} MiB.");
        return text.ToString();
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        if (sorted.Count == 0)
            return 0;
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string Size(int bytes) => bytes >= 1024 ? $"{bytes / 1024} KiB" : $"{bytes} B";
}

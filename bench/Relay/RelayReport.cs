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
        text.AppendLine("Two nats-server 2.15.1 members A and B; publisher on A, subscriber on B, one subject; the benchmark's own");
        text.AppendLine("clients run on the same cores as the servers, the gateway and haproxy.");
        text.AppendLine();
        text.AppendLine("## Throughput (messages/s received on B)");
        text.AppendLine();
        var setups = throughput.Select(r => r.Setup).Distinct().ToList();
        text.Append("| payload |");
        foreach (var setup in setups)
            text.Append(c, $" {setup} |");
        if (setups.Contains("gateway") && setups.Contains("direct"))
            text.Append(" gateway / direct |");
        if (setups.Contains("gateway") && setups.Contains("haproxy-l4"))
            text.Append(" gateway / haproxy |");
        text.AppendLine(" gateway CPU | runs (msg/s) |");
        text.Append("|---|");
        foreach (var _ in setups)
            text.Append("---:|");
        if (setups.Contains("gateway") && setups.Contains("direct"))
            text.Append("---:|");
        if (setups.Contains("gateway") && setups.Contains("haproxy-l4"))
            text.Append("---:|");
        text.AppendLine("---:|---|");
        foreach (var size in throughput.Select(r => r.Size).Distinct().Order())
        {
            var medians = setups.ToDictionary(s => s, s => Median(throughput.Where(r => r.Setup == s && r.Size == size).Select(r => r.MessagesPerSecond)));
            text.Append(c, $"| {Size(size)} |");
            foreach (var setup in setups)
                text.Append(c, $" {medians[setup]:N0} |");
            if (medians.TryGetValue("gateway", out var gateway) && medians.TryGetValue("direct", out var direct))
                text.Append(c, $" {gateway / direct:0.00}× |");
            if (medians.TryGetValue("gateway", out var gw) && medians.TryGetValue("haproxy-l4", out var l4))
                text.Append(c, $" {gw / l4:0.00}× |");
            var cpu = Median(throughput.Where(r => r.Setup == "gateway" && r.Size == size).Select(r => r.MiddleCpuPercent));
            text.Append(c, $" {cpu:0}% |");
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
        var rss = throughput.Where(r => r.Setup == "gateway").Select(r => r.MiddleRssBytes).DefaultIfEmpty().Max();
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

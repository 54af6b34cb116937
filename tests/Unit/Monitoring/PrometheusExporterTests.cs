using System.Diagnostics.Metrics;
using Nats.OrleansRoutes.Gateway.Monitoring;
using Nats.OrleansRoutes.TestKit;

namespace Nats.OrleansRoutes.Tests.Unit.Monitoring;

/// <summary>The Prometheus text format the gateway's /metrics writes.</summary>
public sealed class PrometheusExporterTests
{
    [Fact]
    public void Counters_histograms_and_gauges_are_written_in_the_text_format()
    {
        using var exporter = new PrometheusExporter();
        using var meter = new Meter("Nats.OrleansRoutes.Test." + Guid.NewGuid().ToString("N"));
        var failures = meter.CreateCounter<long>("natsroutes.test.failures", description: "Failures, by reason");
        var bytes = meter.CreateCounter<long>("natsroutes.test.bytes", unit: "By"); // the name says the unit already
        var latency = meter.CreateHistogram<double>("natsroutes.test.latency", unit: "ms");
        var open = 3;
        meter.CreateObservableGauge("natsroutes.test.open", () => open);

        failures.Add(2, new KeyValuePair<string, object?>("reason", "auth"));
        failures.Add(1, new KeyValuePair<string, object?>("reason", "auth"));
        failures.Add(1, new KeyValuePair<string, object?>("reason", "say \"hi\""));
        bytes.Add(1500);
        latency.Record(0.3);
        latency.Record(7);
        var text = exporter.Render();

        Assert.Contains("# HELP natsroutes_test_failures_total Failures, by reason\n# TYPE natsroutes_test_failures_total counter\n", text, StringComparison.Ordinal);
        Assert.Contains("natsroutes_test_failures_total{reason=\"auth\"} 3\n", text, StringComparison.Ordinal);
        Assert.Contains("natsroutes_test_failures_total{reason=\"say \\\"hi\\\"\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("natsroutes_test_bytes_total 1500\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE natsroutes_test_latency_milliseconds histogram\n", text, StringComparison.Ordinal);
        Assert.Contains("natsroutes_test_latency_milliseconds_bucket{le=\"0.25\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("natsroutes_test_latency_milliseconds_bucket{le=\"0.5\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("natsroutes_test_latency_milliseconds_bucket{le=\"10\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("natsroutes_test_latency_milliseconds_bucket{le=\"+Inf\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("natsroutes_test_latency_milliseconds_sum 7.3\n", text, StringComparison.Ordinal);
        Assert.Contains("natsroutes_test_latency_milliseconds_count 2\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE natsroutes_test_open gauge\nnatsroutes_test_open 3\n", text, StringComparison.Ordinal);

        open = 5; // gauges are read at scrape time
        Assert.Contains("natsroutes_test_open 5\n", exporter.Render(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_runtime_s_GC_and_process_measures_are_written_too()
    {
        using var exporter = new PrometheusExporter();
        GC.Collect(0);
        var text = exporter.Render();

        Assert.Contains("# TYPE dotnet_gc_collections_total counter\n", text, StringComparison.Ordinal);
        var gen0 = Assert.Single(PrometheusText.Samples(text), s => s.Sample == "dotnet_gc_collections_total{gc_heap_generation=\"gen0\"}");
        Assert.True(gen0.Value >= 1, text);
        Assert.Contains("dotnet_gc_pause_time_seconds_total ", text, StringComparison.Ordinal);
        Assert.Contains("dotnet_gc_heap_total_allocated_bytes_total ", text, StringComparison.Ordinal);
        Assert.Contains("dotnet_process_cpu_time_seconds_total{", text, StringComparison.Ordinal);
    }
}

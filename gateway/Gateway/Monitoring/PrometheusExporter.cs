using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Nats.OrleansRoutes.Gateway.Monitoring;

/// <summary>
/// /metrics in the Prometheus text format (0.0.4) for the meters whose names start with
/// <c>Nats.OrleansRoutes</c>, and the runtime's own (<c>System.Runtime</c>: collections, pause
/// time and allocations of the GC, heap size, thread pool, CPU time): counters as <c>_total</c>,
/// histograms with cumulative buckets, observable gauges read at scrape time. A MeterListener aggregates in memory; nothing is
/// exported unless scraped. (The OpenTelemetry Prometheus exporter does not restore here.)
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    private static readonly double[] Buckets = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000];

    /// <summary>The meter the .NET runtime publishes its GC, thread-pool and process measures on.</summary>
    private const string RuntimeMeter = "System.Runtime";

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, Series> _series = new();

    public PrometheusExporter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name.StartsWith("Nats.OrleansRoutes", StringComparison.Ordinal) || instrument.Meter.Name == RuntimeMeter)
            {
                _series[instrument] = new Series(instrument);
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (_series.TryGetValue(instrument, out var series))
            series.Record(value, tags);
    }

    /// <summary>The current values in the text exposition format.</summary>
    public string Render()
    {
        foreach (var series in _series.Values.Where(s => s.IsObservable))
            series.ResetObserved();
        _listener.RecordObservableInstruments();
        var text = new StringBuilder();
        foreach (var series in _series.Values.OrderBy(s => s.Name, StringComparer.Ordinal))
            series.Write(text);
        return text.ToString();
    }

    public void Dispose() => _listener.Dispose();

    /// <summary>One instrument's values by label set.</summary>
    private sealed class Series(Instrument instrument)
    {
        private readonly ConcurrentDictionary<string, Point> _points = new(StringComparer.Ordinal);

        public string Name { get; } = PrometheusName(instrument);

        public bool IsObservable { get; } = instrument.IsObservable;

        private bool IsHistogram => instrument.GetType().Name.StartsWith("Histogram", StringComparison.Ordinal);

        private bool IsCounter => instrument.GetType().Name.Contains("Counter", StringComparison.Ordinal)
            && !instrument.GetType().Name.Contains("UpDown", StringComparison.Ordinal);

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var point = _points.GetOrAdd(Labels(tags), _ => new Point());
            lock (point)
            {
                if (IsHistogram)
                {
                    point.Count++;
                    point.Sum += value;
                    for (var i = 0; i < Buckets.Length; i++)
                    {
                        if (value <= Buckets[i])
                            point.BucketCounts[i]++;
                    }
                }
                else if (IsObservable && !IsCounter)
                {
                    point.Sum = value; // a gauge: the last observation
                }
                else if (IsObservable)
                {
                    point.Sum = value; // an observable counter reports its running total
                }
                else
                {
                    point.Sum += value;
                }
            }
        }

        public void ResetObserved() => _points.Clear();

        public void Write(StringBuilder text)
        {
            var c = CultureInfo.InvariantCulture;
            var type = IsHistogram ? "histogram" : IsCounter ? "counter" : "gauge";
            var name = IsCounter ? Name + "_total" : Name;
            if (instrument.Description is { Length: > 0 } description)
                text.Append(c, $"# HELP {name} {description.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)}\n");
            text.Append(c, $"# TYPE {name} {type}\n");
            foreach (var (labels, point) in _points.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                lock (point)
                {
                    if (!IsHistogram)
                    {
                        text.Append(c, $"{name}{Braced(labels)} {Number(point.Sum)}\n");
                        continue;
                    }
                    for (var i = 0; i < Buckets.Length; i++)
                        text.Append(c, $"{name}_bucket{Braced(Join(labels, $"le=\"{Number(Buckets[i])}\""))} {point.BucketCounts[i]}\n");
                    text.Append(c, $"{name}_bucket{Braced(Join(labels, "le=\"+Inf\""))} {point.Count}\n");
                    text.Append(c, $"{name}_sum{Braced(labels)} {Number(point.Sum)}\n");
                    text.Append(c, $"{name}_count{Braced(labels)} {point.Count}\n");
                }
            }
        }

        private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (tags.IsEmpty)
                return "";
            var pairs = new List<string>(tags.Length);
            foreach (var (key, value) in tags)
                pairs.Add($"{Sanitize(key)}=\"{Escape(Convert.ToString(value, CultureInfo.InvariantCulture) ?? "")}\"");
            pairs.Sort(StringComparer.Ordinal);
            return string.Join(',', pairs);
        }

        private static string Join(string labels, string extra) => labels.Length == 0 ? extra : labels + "," + extra;

        private static string Braced(string labels) => labels.Length == 0 ? "" : "{" + labels + "}";

        private static string Escape(string value) =>
            value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

        private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
    }

    private sealed class Point
    {
        public long Count;
        public double Sum;
        public readonly long[] BucketCounts = new long[Buckets.Length];
    }

    /// <summary><c>natsroutes.gateway.grain_call.duration</c> with unit ms → <c>natsroutes_gateway_grain_call_duration_milliseconds</c>.</summary>
    internal static string PrometheusName(Instrument instrument)
    {
        var name = Sanitize(instrument.Name);
        var unit = instrument.Unit switch
        {
            "By" => "bytes",
            "ms" => "milliseconds",
            "s" => "seconds",
            _ => null,
        };
        // The unit is appended unless the name already says it (natsroutes_gateway_bytes_in).
        return unit is null || $"_{name}_".Contains($"_{unit}_", StringComparison.Ordinal) ? name : name + "_" + unit;
    }

    private static string Sanitize(string name)
    {
        var chars = name.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (!(char.IsAsciiLetterOrDigit(chars[i]) || chars[i] == '_'))
                chars[i] = '_';
        }
        return new string(chars);
    }
}

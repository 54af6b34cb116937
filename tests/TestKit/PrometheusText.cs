using System.Globalization;

namespace Nats.OrleansRoutes.TestKit;

/// <summary>Reads the Prometheus text format a gateway's /metrics writes, for tests and benchmarks.</summary>
public static class PrometheusText
{
    /// <summary>Every sample line: its name with labels exactly as written, and its value (comment lines skipped).</summary>
    public static IEnumerable<(string Sample, double Value)> Samples(string text)
    {
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
                continue;
            var space = line.LastIndexOf(' ');
            yield return (line[..space], double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture));
        }
    }

    /// <summary>The value of one sample (name with labels, exactly, e.g. <c>x_total{reason="tls"}</c>); null when absent.</summary>
    public static double? Value(string text, string sample) =>
        Samples(text).Where(s => s.Sample == sample).Select(s => (double?)s.Value).FirstOrDefault();

    /// <summary>The sum of the samples whose name with labels starts with <paramref name="prefix"/>.</summary>
    public static double Sum(string text, string prefix) =>
        Samples(text).Where(s => s.Sample.StartsWith(prefix, StringComparison.Ordinal)).Sum(s => s.Value);

    /// <summary>The value of label <paramref name="name"/> in a sample's name with labels; null when it has none.</summary>
    public static string? Label(string sample, string name)
    {
        var key = $"{name}=\"";
        var at = sample.IndexOf(key, StringComparison.Ordinal);
        if (at < 0)
            return null;
        var start = at + key.Length;
        return sample[start..sample.IndexOf('"', start)];
    }
}

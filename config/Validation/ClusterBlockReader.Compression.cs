using Nats.OrleansRoutes.Config.Cluster;
using Nats.OrleansRoutes.Config.Conf;
using Nats.OrleansRoutes.Config.Go;

namespace Nats.OrleansRoutes.Config.Validation;

internal sealed partial class ClusterBlockReader
{
    /// <summary>
    /// <c>compression</c>: a boolean, a mode string, or <c>{ mode, rtt_thresholds }</c>. The mode
    /// itself is only checked when the server starts (<see cref="CheckAtStartup"/>).
    /// </summary>
    private void ReadCompression(ConfEntry entry)
    {
        var value = entry.Value;
        switch (value)
        {
            case ConfBool on:
                _compressionMode = on.Value ? CompressionModes.S2Fast : CompressionModes.Off;
                break;
            case ConfString mode:
                _compressionMode = mode.Value;
                break;
            case ConfMap map:
                foreach (var item in map.Entries)
                {
                    switch (item.Key.ToLowerInvariant())
                    {
                        case "mode":
                            if (item.Value is not ConfString m)
                            {
                                findings.WrongType(item.Value, GoTypeNames.String);
                                return;
                            }
                            _compressionMode = m.Value;
                            break;
                        case "rtt_thresholds" or "thresholds" or "rtts" or "rtt":
                            if (!TryReadThresholds(item.Value))
                                return;
                            break;
                        default:
                            if (!item.UsedAsVariable)
                            {
                                findings.UnknownField(item);
                                return;
                            }
                            break;
                    }
                }
                break;
            default:
                findings.Error(value.Location, $"field {GoQuote.Quote(entry.Key)} should be a boolean or a structure, got {value.GoTypeName}");
                break;
        }
    }

    private bool TryReadThresholds(ConfValue value)
    {
        if (value is not ConfArray array)
        {
            findings.WrongType(value, GoTypeNames.Array);
            return false;
        }
        var thresholds = new List<long>();
        foreach (var item in array.Items)
        {
            if (item is not ConfString text)
            {
                findings.WrongType(item, GoTypeNames.String);
                return false;
            }
            if (!GoDuration.TryParseNanoseconds(text.Value, out var ns, out var error))
            {
                findings.Error(value.Location, error!);
                return false;
            }
            thresholds.Add(ns);
        }
        _rttThresholds = thresholds;
        return true;
    }

    /// <summary>The mode after nats-server's start-time normalisation, or null when it would refuse it.</summary>
    private CompressionSpec? NormalizedCompression => NormalizeCompression(out _);

    private CompressionSpec? NormalizeCompression(out string? error)
    {
        error = null;
        if (_compressionMode is null)
            return _rttThresholds is null ? null : CompressionSpec.Accept;
        var written = _compressionMode;
        var mode = written.ToLowerInvariant();
        if (mode is "on" or "enabled" or "true")
            mode = CompressionModes.S2Fast;
        switch (mode)
        {
            case "not supported" or "not_supported":
                return new CompressionSpec(CompressionModes.NotSupported, EquatableList<TimeSpan>.Empty);
            case "disabled" or "off" or "false":
                return CompressionSpec.Off;
            case "accept":
                return CompressionSpec.Accept;
            case "fast" or "s2_fast":
                return new CompressionSpec(CompressionModes.S2Fast, EquatableList<TimeSpan>.Empty);
            case "better" or "s2_better":
                return new CompressionSpec(CompressionModes.S2Better, EquatableList<TimeSpan>.Empty);
            case "best" or "s2_best":
                return new CompressionSpec(CompressionModes.S2Best, EquatableList<TimeSpan>.Empty);
            case "auto" or "s2_auto":
                return NormalizeAuto(written, out error);
            default:
                error = $"unsupported compression mode {GoQuote.Quote(written)}";
                return null;
        }
    }

    private CompressionSpec? NormalizeAuto(string written, out string? error)
    {
        error = null;
        if (_rttThresholds is not { Count: > 0 } given)
            return new CompressionSpec(CompressionModes.S2Auto, CompressionSpec.DefaultRttThresholds);
        var list = new List<long>();
        foreach (var raw in given)
        {
            var n = Math.Max(0, raw);
            if (list.Count > 0 && n != 0 && list.Any(v => n < v))
            {
                error = $"RTT threshold values {FormatList(given)} should be in ascending order";
                return null;
            }
            list.Add(n);
        }
        while (list.Count > 0 && list[^1] == 0)
            list.RemoveAt(list.Count - 1);
        if (list.Count > 4)
        {
            error = $"compression mode {GoQuote.Quote(written)} should have no more than 4 RTT thresholds: {FormatList(given)}";
            return null;
        }
        if (list.Count == 0)
        {
            error = $"compression mode {GoQuote.Quote(written)} requires at least one RTT threshold";
            return null;
        }
        return new CompressionSpec(CompressionModes.S2Auto, new EquatableList<TimeSpan>(list.Select(ns => TimeSpan.FromTicks(ns / 100))));
    }

    private static string FormatList(IEnumerable<long> nanoseconds) =>
        "[" + string.Join(' ', nanoseconds.Select(GoDuration.FormatNanoseconds)) + "]";
}

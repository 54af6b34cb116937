using Nats.OrleansRoutes.Config.Conf;
using Nats.OrleansRoutes.Config.Go;

namespace Nats.OrleansRoutes.Config.Validation;

/// <summary>
/// A duration option as nats-server reads it: a Go duration string; an integer is taken as
/// seconds with a warning; anything else is a type error after that warning.
/// </summary>
internal static class Durations
{
    public static TimeSpan? Read(Findings findings, ConfValue value, string field)
    {
        switch (value)
        {
            case ConfString text:
                if (GoDuration.TryParse(text.Value, out var parsed, out var error))
                    return parsed;
                findings.Error(value.Location, $"error parsing {field}: {error}");
                return null;
            case ConfInteger seconds:
                findings.InvalidUse(value.Location, field, $"{field} should be converted to a duration");
                return TimeSpan.FromSeconds(seconds.Value);
            default:
                findings.InvalidUse(value.Location, field, $"{field} should be converted to a duration");
                findings.WrongType(value, GoTypeNames.Int64);
                return null;
        }
    }
}

using Nats.OrleansRoutes.Config.Cluster;
using Nats.OrleansRoutes.Config.Conf;
using Nats.OrleansRoutes.Config.Go;

namespace Nats.OrleansRoutes.Config.Validation;

internal sealed partial class ClusterBlockReader
{
    /// <summary>
    /// <c>authorization { user, password, timeout }</c>: one credential pair. Multiple users,
    /// tokens and callouts are refused for routes; permissions here are deprecated.
    /// </summary>
    private void ReadAuthorization(ConfEntry authorization)
    {
        if (authorization.Value is not ConfMap map)
        {
            findings.WrongType(authorization.Value, GoTypeNames.Map);
            return;
        }
        string? user = null;
        Secret? password = null;
        TimeSpan? timeout = null;
        var hasUsers = false;
        var hasToken = false;
        var hasCallout = false;
        ConfEntry? permissions = null;
        foreach (var entry in map.Entries)
        {
            var value = entry.Value;
            switch (entry.Key.ToLowerInvariant())
            {
                case "user" or "username":
                    user = String(value) ?? user;
                    break;
                case "pass" or "password":
                    if (String(value) is { } secret)
                        password = new Secret(secret);
                    break;
                case "token":
                    hasToken = String(value) is not null || hasToken;
                    break;
                case "timeout":
                    if (!TryReadAuthTimeout(value, out timeout))
                        return; // nats-server stops reading the block at a bad timeout
                    break;
                case "users":
                    hasUsers = true;
                    break;
                case "default_permission" or "default_permissions" or "permissions":
                    permissions = entry;
                    break;
                case "auth_callout" or "auth_hook":
                    hasCallout = true;
                    break;
                case "proxy_required":
                    Bool(value);
                    break;
                default:
                    if (!entry.UsedAsVariable)
                        findings.UnknownField(entry);
                    break;
            }
        }

        var at = authorization.Value.Location;
        if (hasUsers)
        {
            findings.Error(at, "Cluster authorization does not allow multiple users");
            return;
        }
        if (hasToken)
        {
            findings.Error(at, "Cluster authorization does not support tokens");
            return;
        }
        if (hasCallout)
        {
            findings.Error(at, "Cluster authorization does not support callouts");
            return;
        }
        if (permissions is not null)
        {
            var parsed = ReadPermissions(permissions, reportAt: at);
            findings.InvalidUse(at, authorization.Key, "setting \"permissions\" within cluster authorization block is deprecated");
            _authorizationPermissions = parsed;
        }
        _authorization = new RouteAuthorization { User = user, Password = password, Timeout = timeout };
    }

    /// <summary>Seconds (integer or float) or a duration string; above 60 s is a warning.</summary>
    private bool TryReadAuthTimeout(ConfValue value, out TimeSpan? timeout)
    {
        timeout = null;
        double seconds;
        string written;
        switch (value)
        {
            case ConfInteger i:
                seconds = i.Value;
                written = i.ToString();
                break;
            case ConfFloat f:
                seconds = f.Value;
                written = f.ToString();
                break;
            case ConfString s:
                if (!GoDuration.TryParse(s.Value, out var parsed, out var error))
                {
                    findings.Error(value.Location, $"error parsing authorization config, 'timeout' {error}");
                    return false;
                }
                seconds = parsed.TotalSeconds;
                written = s.Value;
                break;
            default:
                findings.Error(value.Location, "error parsing authorization config, 'timeout' wrong type");
                return false;
        }
        if (seconds > 60)
        {
            findings.InvalidUse(value.Location, "timeout",
                $"timeout of {written} ({Seconds(seconds)} seconds) is high, consider keeping it under 60 seconds. " +
                "possibly caused by unquoted duration; use '1m' instead of 1m, for example");
        }
        timeout = TimeSpan.FromSeconds(seconds);
        return true;
    }
}

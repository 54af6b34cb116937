using Nats.OrleansRoutes.Config.Cluster;
using Nats.OrleansRoutes.Config.Conf;
using Nats.OrleansRoutes.Config.Go;

namespace Nats.OrleansRoutes.Config.Validation;

internal sealed partial class ClusterBlockReader
{
    /// <summary>
    /// <c>permissions { import, export }</c>, each a subject, a list of subjects, or
    /// <c>{ allow, deny }</c>. Routes support no dynamic responses and no queue forms.
    /// </summary>
    private ClusterPermissions? ReadPermissions(ConfEntry permissions, SourceLocation? reportAt = null)
    {
        var at = reportAt ?? permissions.Value.Location;
        if (permissions.Value is not ConfMap map)
        {
            findings.Error(null, $"Expected permissions to be a map/struct, got {permissions.Value}");
            return null;
        }
        SubjectPermission? import = null;
        SubjectPermission? export = null;
        var ok = true;
        foreach (var entry in map.Entries)
        {
            switch (entry.Key.ToLowerInvariant())
            {
                case "import" or "pub" or "publish":
                    import = ReadSubjectPermission(entry, allowQueues: false, ref ok);
                    break;
                case "export" or "sub" or "subscribe":
                    export = ReadSubjectPermission(entry, allowQueues: true, ref ok);
                    break;
                case "allow_responses" or "publish_allow_responses":
                    switch (entry.Value)
                    {
                        case ConfBool { Value: false }:
                            break;
                        case ConfBool or ConfMap:
                            findings.Error(at, "Cluster permissions do not support dynamic responses");
                            ok = false;
                            break;
                        default:
                            findings.Error(entry.Value.Location, "error parsing response permissions, expected a boolean or a map");
                            ok = false;
                            break;
                    }
                    break;
                default:
                    if (!entry.UsedAsVariable)
                    {
                        findings.Error(entry.KeyLocation, $"Unknown field {GoQuote.Quote(entry.Key)} parsing permissions");
                        ok = false;
                    }
                    break;
            }
        }
        if (!ok)
            return null;

        // Routes take no queue form: every subject is checked again without it.
        foreach (var (direction, permission) in new[] { ("import", import), ("export", export) })
        {
            if (permission is null)
                continue;
            foreach (var (kind, subjects) in new[] { ("allow", permission.Allow), ("deny", permission.Deny) })
            {
                foreach (var subject in subjects.Where(s => !Subjects.IsValid(s)))
                {
                    findings.Error(at, $"cluster {direction} {kind}: subject {GoQuote.Quote(subject)} is not a valid subject");
                    ok = false;
                }
            }
        }
        return ok ? new ClusterPermissions { Import = import, Export = export } : null;
    }

    private SubjectPermission? ReadSubjectPermission(ConfEntry entry, bool allowQueues, ref bool ok)
    {
        switch (entry.Value)
        {
            case ConfString or ConfArray:
                // Old style: the subjects are the allow list; errors carry no position in nats-server.
                var allow = ReadSubjects(entry.Value, allowQueues, position: null, ref ok);
                return allow is null ? null : new SubjectPermission { Allow = new EquatableList<string>(allow) };
            case ConfMap map:
                List<string>? allowList = null;
                List<string>? denyList = null;
                foreach (var item in map.Entries)
                {
                    switch (item.Key.ToLowerInvariant())
                    {
                        case "allow":
                            allowList = ReadSubjects(item.Value, allowQueues, item.Value.Location, ref ok);
                            break;
                        case "deny":
                            denyList = ReadSubjects(item.Value, allowQueues, item.Value.Location, ref ok);
                            break;
                        default:
                            findings.Error(item.KeyLocation,
                                $"Unknown field name {GoQuote.Quote(item.Key)} parsing subject permissions, only 'allow' or 'deny' are permitted");
                            ok = false;
                            break;
                    }
                }
                return new SubjectPermission
                {
                    Allow = new EquatableList<string>(allowList ?? []),
                    Deny = new EquatableList<string>(denyList ?? []),
                };
            default:
                findings.Error(null, $"Expected subject permissions to be a subject, or array of subjects, got {entry.Value.GoTypeName}");
                ok = false;
                return null;
        }
    }

    private List<string>? ReadSubjects(ConfValue value, bool allowQueues, SourceLocation? position, ref bool ok)
    {
        var subjects = new List<string>();
        switch (value)
        {
            case ConfString s:
                subjects.Add(s.Value);
                break;
            case ConfArray array:
                foreach (var item in array.Items)
                {
                    if (item is ConfString text)
                    {
                        subjects.Add(text.Value);
                        continue;
                    }
                    findings.Error(item.Location, "Subject in permissions array cannot be cast to string");
                    ok = false;
                    return null;
                }
                break;
            default:
                findings.Error(position, $"Expected subject permissions to be a subject, or array of subjects, got {value.GoTypeName}");
                ok = false;
                return null;
        }
        foreach (var subject in subjects)
        {
            if (Subjects.CheckPermission(subject, allowQueues) is { } problem)
            {
                findings.Error(position, problem);
                ok = false;
                return null;
            }
        }
        return subjects;
    }
}

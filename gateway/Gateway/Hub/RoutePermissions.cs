using Nats.OrleansRoutes.Config.Cluster;

namespace Nats.OrleansRoutes.Gateway.Hub;

/// <summary>
/// The cluster's <c>permissions { import, export }</c>, applied by the hub as a member applies them
/// to its routes (nats-server's canImport/canExport): they govern interest, and messages follow it.
/// <list type="bullet">
/// <item>export: which RS+/LS+ the hub accepts from a member;</item>
/// <item>import: which interest the hub announces to a member;</item>
/// <item>a message whose subject export denies is not relayed, even to a wildcard interest that
/// covers it (nats-server's deny filter on a route).</item>
/// </list>
/// Deny wins over allow; an empty allow list allows everything. A subscription's own wildcards are
/// matched as literal tokens: <c>foo.&gt;</c> allows <c>foo.*</c>, <c>foo.bar</c> does not.
/// </summary>
internal sealed class RoutePermissions
{
    public static readonly RoutePermissions None = new(null);

    private readonly Direction _import;
    private readonly Direction _export;

    private RoutePermissions(ClusterPermissions? permissions)
    {
        Source = permissions;
        _import = new Direction(permissions?.Import);
        _export = new Direction(permissions?.Export);
    }

    public static RoutePermissions Of(ClusterPermissions? permissions) => permissions is null ? None : new RoutePermissions(permissions);

    public ClusterPermissions? Source { get; }

    /// <summary>Whether the hub takes a member's interest in <paramref name="subject"/>.</summary>
    public bool CanExport(string subject) => _export.Allows(subject);

    /// <summary>Whether the hub tells a member of interest in <paramref name="subject"/>.</summary>
    public bool CanImport(string subject) => _import.Allows(subject);

    /// <summary>Whether a message on <paramref name="subject"/> must not be relayed (export denies it).</summary>
    public bool DeniesMessage(ReadOnlySpan<char> subject) => _export.Denies(subject);

    /// <summary>Whether any message can be denied (so the relay checks subjects only then).</summary>
    public bool FiltersMessages => _export.HasDeny;

    private sealed class Direction(SubjectPermission? permission)
    {
        private readonly string[] _allow = permission is null ? [] : [.. permission.Allow];
        private readonly string[] _deny = permission is null ? [] : [.. permission.Deny];

        public bool HasDeny => _deny.Length > 0;

        public bool Allows(string subject) =>
            (_allow.Length == 0 || _allow.Any(p => Matches(p, subject))) && !Denies(subject);

        public bool Denies(ReadOnlySpan<char> subject)
        {
            foreach (var pattern in _deny)
            {
                if (Matches(pattern, subject))
                    return true;
            }
            return false;
        }
    }

    /// <summary>Whether <paramref name="pattern"/> (with * and &gt;) covers <paramref name="subject"/>, whose tokens are taken literally.</summary>
    internal static bool Matches(ReadOnlySpan<char> pattern, ReadOnlySpan<char> subject)
    {
        while (true)
        {
            var p = pattern.IndexOf('.');
            var patternToken = p < 0 ? pattern : pattern[..p];
            if (patternToken is ">")
                return !subject.IsEmpty;
            if (subject.IsEmpty)
                return false;
            var s = subject.IndexOf('.');
            var subjectToken = s < 0 ? subject : subject[..s];
            if (patternToken is not "*" && !patternToken.SequenceEqual(subjectToken))
                return false;
            if (p < 0 || s < 0)
                return p < 0 && s < 0;
            pattern = pattern[(p + 1)..];
            subject = subject[(s + 1)..];
        }
    }
}

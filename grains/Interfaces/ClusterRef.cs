using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Nats.OrleansRoutes.Grains;

/// <summary>A cluster's name within its tenant: <c>tenant/cluster</c>. Both parts: letters, digits, '.', '_', '-'.</summary>
public sealed partial record ClusterRef(string Tenant, string Name)
{
    public string Key => $"{Tenant}/{Name}";

    public override string ToString() => Key;

    public static bool TryParse(string text, [NotNullWhen(true)] out ClusterRef? cluster, out string? problem)
    {
        cluster = null;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == text.Length - 1 || text.IndexOf('/', slash + 1) >= 0)
        {
            problem = $"\"{text}\" is not TENANT/NAME (one slash, both parts given)";
            return false;
        }
        var tenant = text[..slash];
        var name = text[(slash + 1)..];
        problem = Names.Check(tenant, "tenant") ?? Names.Check(name, "cluster name");
        if (problem is not null)
            return false;
        cluster = new ClusterRef(tenant, name);
        return true;
    }

    public static ClusterRef Parse(string text) =>
        TryParse(text, out var cluster, out var problem) ? cluster : throw new ArgumentException(problem, nameof(text));
}

/// <summary>Naming rules for tenants, clusters and gateways.</summary>
public static partial class Names
{
    /// <summary>Null when <paramref name="name"/> is acceptable, else why not.</summary>
    public static string? Check(string name, string what) =>
        NamePattern().IsMatch(name) ? null
        : $"{what} \"{name}\" is not allowed: use 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit";

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")]
    private static partial Regex NamePattern();
}

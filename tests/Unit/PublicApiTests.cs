using System.Reflection;
using System.Text;
using Nats.OrleansRoutes.TestKit;

namespace Nats.OrleansRoutes.Tests.Unit;

/// <summary>
/// The client library's public surface (with the grain contracts it exposes) is kept in
/// client/Client/PublicAPI.txt so that a breaking change shows up in review. After an intended
/// change, regenerate it: NATSROUTES_UPDATE_API=1 ./natsroutes test --filter PublicApi
/// </summary>
public sealed class PublicApiTests
{
    private static readonly string Baseline = Path.Combine(RepoPaths.Root, "client", "Client", "PublicAPI.txt");

    [Fact]
    public void The_client_library_api_matches_its_baseline()
    {
        var actual = Describe(typeof(Client.NatsRoutesClient).Assembly, typeof(Grains.IClusterGrain).Assembly);
        if (Environment.GetEnvironmentVariable("NATSROUTES_UPDATE_API") == "1")
            File.WriteAllText(Baseline, actual);
        var expected = File.Exists(Baseline) ? File.ReadAllText(Baseline) : "";
        var added = Lines(actual).Except(Lines(expected)).ToList();
        var removed = Lines(expected).Except(Lines(actual)).ToList();
        Assert.True(added.Count == 0 && removed.Count == 0,
            "public API changed; review it, then regenerate client/Client/PublicAPI.txt with NATSROUTES_UPDATE_API=1\n"
            + string.Join('\n', added.Select(a => "+ " + a).Concat(removed.Select(r => "- " + r))));
    }

    private static IEnumerable<string> Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static string Describe(params Assembly[] assemblies)
    {
        var lines = new List<string>();
        // Orleans' generated proxies and codecs are public but not ours to keep stable.
        foreach (var type in assemblies.SelectMany(a => a.GetExportedTypes()).Where(t => t.Namespace?.StartsWith("OrleansCodeGen", StringComparison.Ordinal) != true))
        {
            lines.Add($"type {Name(type)}");
            const BindingFlags flags = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            foreach (var member in type.GetMembers(flags))
            {
                var text = member switch
                {
                    MethodInfo m when !m.IsSpecialName => $"{(m.IsStatic ? "static " : "")}{Name(m.ReturnType)} {m.Name}({Parameters(m)})",
                    ConstructorInfo c => $"ctor({Parameters(c)})",
                    PropertyInfo p => $"{Name(p.PropertyType)} {p.Name} {{{(p.GetMethod?.IsPublic == true ? " get;" : "")}{(p.SetMethod?.IsPublic == true ? " set;" : "")} }}",
                    FieldInfo f => $"{(f.IsStatic ? "static " : "")}{Name(f.FieldType)} {f.Name}",
                    EventInfo e => $"event {Name(e.EventHandlerType!)} {e.Name}",
                    _ => null,
                };
                if (text is not null)
                    lines.Add($"  {Name(type)}: {text}");
            }
        }
        var sb = new StringBuilder();
        foreach (var line in lines.Order(StringComparer.Ordinal))
            sb.Append(line).Append('\n');
        return sb.ToString();
    }

    private static string Parameters(MethodBase method) =>
        string.Join(", ", method.GetParameters().Select(p => $"{Name(p.ParameterType)} {p.Name}"));

    private static string Name(Type type) => type.IsGenericType
        ? $"{type.Namespace}.{type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)]}<{string.Join(", ", type.GetGenericArguments().Select(Name))}>"
        : type.FullName ?? type.Name;
}

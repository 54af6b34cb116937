using System.Reflection;
using Nats.OrleansRoutes.Runtime.Identity;

namespace Nats.OrleansRoutes.Runtime.Invocation;

/// <summary>A grain interface checked for the runtime's rules, with its methods by name.</summary>
public sealed class GrainInterfaceInfo
{
    private GrainInterfaceInfo(Type type, string name, IReadOnlyDictionary<string, MethodDescriptor> methods)
    {
        Interface = type;
        Name = name;
        Methods = methods;
        ByMethod = methods.Values.ToDictionary(m => m.Method);
    }

    public Type Interface { get; }

    /// <summary>The grain type name used in grain ids.</summary>
    public string Name { get; }

    public IReadOnlyDictionary<string, MethodDescriptor> Methods { get; }

    internal IReadOnlyDictionary<MethodInfo, MethodDescriptor> ByMethod { get; }

    /// <summary>Reads an interface; throws with every broken rule named when it does not follow them.</summary>
    public static GrainInterfaceInfo From(Type type)
    {
        var problems = new List<string>();
        if (!type.IsInterface || !typeof(IGrainWithStringKey).IsAssignableFrom(type))
            problems.Add("is not an interface deriving from IGrainWithStringKey");
        var name = type.GetCustomAttribute<GrainTypeAttribute>()?.Name;
        if (string.IsNullOrWhiteSpace(name))
            problems.Add("has no [GrainType(\"name\")] attribute");

        var methods = new Dictionary<string, MethodDescriptor>(StringComparer.Ordinal);
        foreach (var method in AllMethods(type))
        {
            if (method.ReturnType != typeof(Task) && !(method.ReturnType.IsGenericType && method.ReturnType.GetGenericTypeDefinition() == typeof(Task<>)))
                problems.Add($"{method.Name} returns {method.ReturnType.Name}; grain methods return Task or Task<T>");
            if (method.GetParameters().SkipLast(1).Any(p => p.ParameterType == typeof(CancellationToken)))
                problems.Add($"{method.Name}: a CancellationToken may only be the last parameter");
            if (method.GetParameters().Any(p => p.IsOut || p.ParameterType.IsByRef))
                problems.Add($"{method.Name}: ref and out parameters cannot cross the wire");
            if (!methods.TryAdd(method.Name, null!))
                problems.Add($"{method.Name} is overloaded; methods are called by name");
            else if (problems.Count == 0)
                methods[method.Name] = new MethodDescriptor(type, method);
        }
        if (problems.Count > 0)
            throw new InvalidOperationException($"Grain interface {type.FullName} {string.Join("; ", problems)}.");
        return new GrainInterfaceInfo(type, name!, methods);
    }

    private static IEnumerable<MethodInfo> AllMethods(Type type) =>
        type.GetMethods().Concat(type.GetInterfaces().SelectMany(i => i.GetMethods()));
}

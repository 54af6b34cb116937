namespace Nats.OrleansRoutes.Runtime.Invocation;

/// <summary>The grain interfaces a process knows, and (on silos) the classes that implement them.</summary>
public sealed class GrainTypeRegistry
{
    private readonly Dictionary<Type, GrainInterfaceInfo> _byInterface = [];
    private readonly Dictionary<string, GrainInterfaceInfo> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Type> _implementations = new(StringComparer.Ordinal);

    public GrainTypeRegistry AddInterface<TInterface>() => AddInterface(typeof(TInterface));

    public GrainTypeRegistry AddInterface(Type type)
    {
        if (_byInterface.ContainsKey(type))
            return this;
        var info = GrainInterfaceInfo.From(type);
        if (!_byName.TryAdd(info.Name, info))
            throw new InvalidOperationException($"Grain type name \"{info.Name}\" is used by both {_byName[info.Name].Interface.FullName} and {type.FullName}.");
        _byInterface[type] = info;
        return this;
    }

    /// <summary>Registers the class a silo activates for a grain interface.</summary>
    public GrainTypeRegistry AddGrain<TInterface, TGrain>() where TGrain : Grains.Grain, TInterface
    {
        AddInterface<TInterface>();
        _implementations[_byInterface[typeof(TInterface)].Name] = typeof(TGrain);
        return this;
    }

    public GrainInterfaceInfo Get(Type type) =>
        _byInterface.TryGetValue(type, out var info) ? info
        : throw new InvalidOperationException($"{type.FullName} is not a registered grain interface.");

    public bool TryGet(string name, out GrainInterfaceInfo info) => _byName.TryGetValue(name, out info!);

    public bool TryGetImplementation(string name, out Type type) => _implementations.TryGetValue(name, out type!);

    public bool HasImplementations => _implementations.Count > 0;
}

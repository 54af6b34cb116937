namespace Nats.OrleansRoutes.Runtime.Identity;

/// <summary>Names a grain interface on the wire and in storage; the name must never change once data exists.</summary>
[AttributeUsage(AttributeTargets.Interface, AllowMultiple = false, Inherited = false)]
public sealed class GrainTypeAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

namespace Nats.OrleansRoutes.Runtime.Identity;

/// <summary>
/// A grain's identity: its type name (from <see cref="GrainTypeAttribute"/>) and a string key,
/// e.g. <c>cluster/acme/prod</c>. The same id names the same grain in every process.
/// </summary>
public readonly record struct GrainId(string Type, string Key)
{
    public override string ToString() => $"{Type}/{Key}";
}

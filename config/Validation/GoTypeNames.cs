namespace Nats.OrleansRoutes.Config.Validation;

/// <summary>Go type names as they appear in nats-server's type errors.</summary>
internal static class GoTypeNames
{
    public const string Int64 = "int64";
    public const string Bool = "bool";
    public const string String = "string";
    public const string Array = "[]interface {}";
    public const string Map = "map[string]interface {}";
}

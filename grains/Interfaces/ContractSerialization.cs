using System.Text.Json;
using System.Text.Json.Serialization;
using Orleans.Serialization;

namespace Nats.OrleansRoutes.Grains;

/// <summary>
/// How contracts and grain state are serialized: System.Text.Json, for every type of this product
/// that is not an exception or a grain interface. Chosen over generated Orleans codecs because the
/// contracts carry <see cref="Config.Cluster.ClusterSpec"/> (a record of the config library, which
/// knows nothing of Orleans) and read-only collections of any shape; JSON also tolerates added
/// fields in both directions, and secrets (<see cref="Config.Cluster.Secret"/>) always serialize
/// as <c>[REDACTED]</c>. Every process of a deployment must call
/// <see cref="AddNatsRoutesContracts"/>; the round trip of each contract is tested.
/// </summary>
public static class ContractSerialization
{
    /// <summary>The JSON options of contracts on the wire and of grain state in storage.</summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    public static ISerializerBuilder AddNatsRoutesContracts(this ISerializerBuilder builder) =>
        builder.AddJsonSerializer(isSupported: IsContract, jsonSerializerOptions: Options);

    /// <summary>Types of this product that travel as JSON.</summary>
    public static bool IsContract(Type type) =>
        type.Namespace?.StartsWith("Nats.OrleansRoutes.", StringComparison.Ordinal) == true
        && !typeof(Exception).IsAssignableFrom(type)
        && !typeof(IAddressable).IsAssignableFrom(type)
        && !type.IsInterface;

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.General)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}

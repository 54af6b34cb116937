using System.Text.Json;
using Orleans.Storage;

namespace Nats.OrleansRoutes.Grains;

/// <summary>
/// Grain state as JSON (UTF-8) in storage, with the contracts' options: readable with
/// <c>redis-cli</c>, tolerant of added fields, secrets never present (they are hashed or sealed
/// before they reach state, and <see cref="Config.Cluster.Secret"/> writes <c>[REDACTED]</c>).
/// </summary>
public sealed class JsonGrainStateSerializer : IGrainStorageSerializer
{
    public BinaryData Serialize<T>(T? input) => new(JsonSerializer.SerializeToUtf8Bytes(input, ContractSerialization.Options));

    public T Deserialize<T>(BinaryData input) =>
        JsonSerializer.Deserialize<T>(input.ToMemory().Span, ContractSerialization.Options)
        ?? throw new JsonException($"stored state of type {typeof(T).Name} is JSON null");
}

using System.Text.Json;
using System.Text.Json.Serialization;
using Nats.OrleansRoutes.Runtime.Invocation;

namespace Nats.OrleansRoutes.Runtime.Serialization;

/// <summary>
/// Turns call arguments, results and grain state into bytes and back (JSON, UTF-8). The same
/// options are used by every process, so types must be plain data: records, lists, primitives.
/// Applications add converters through <see cref="GrainSerializerOptions"/>.
/// </summary>
public sealed class GrainSerializer
{
    public GrainSerializer(GrainSerializerOptions? options = null)
    {
        Options = new JsonSerializerOptions(JsonSerializerDefaults.General)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            IncludeFields = false,
        };
        foreach (var converter in options?.Converters ?? [])
            Options.Converters.Add(converter);
        Options.MakeReadOnly(populateMissingResolver: true);
    }

    public JsonSerializerOptions Options { get; }

    public byte[] SerializeArguments(MethodDescriptor method, object?[] args)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(64);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            for (var i = 0; i < method.ParameterTypes.Length; i++)
                JsonSerializer.Serialize(writer, args[i], method.ParameterTypes[i], Options);
            writer.WriteEndArray();
        }
        return buffer.WrittenSpan.ToArray();
    }

    public object?[] DeserializeArguments(MethodDescriptor method, ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        var args = new object?[method.ParameterTypes.Length];
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            throw new JsonException($"arguments of {method.Name} are not a JSON array");
        for (var i = 0; i < args.Length; i++)
        {
            if (!reader.Read())
                throw new JsonException($"{method.Name} expects {args.Length} arguments");
            args[i] = JsonSerializer.Deserialize(ref reader, method.ParameterTypes[i], Options);
        }
        return args;
    }

    public byte[] SerializeResult(Type type, object? value) => JsonSerializer.SerializeToUtf8Bytes(value, type, Options);

    public T DeserializeResult<T>(ReadOnlySpan<byte> json) => JsonSerializer.Deserialize<T>(json, Options)!;

    public byte[] SerializeState<T>(T state) => JsonSerializer.SerializeToUtf8Bytes(state, Options);

    public T DeserializeState<T>(ReadOnlySpan<byte> data) => JsonSerializer.Deserialize<T>(data, Options)!;
}

/// <summary>Converters the application adds to the grain serializer.</summary>
public sealed class GrainSerializerOptions
{
    public IList<JsonConverter> Converters { get; } = [];
}

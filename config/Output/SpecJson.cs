using System.Text.Json;
using System.Text.Json.Serialization;
using Nats.OrleansRoutes.Config.Cluster;
using Nats.OrleansRoutes.Config.Go;

namespace Nats.OrleansRoutes.Config.Output;

/// <summary>
/// The JSON form of a <see cref="ClusterSpec"/>: snake_case names as in the config file, durations
/// as Go duration strings, secrets always redacted. Meant for people and scripts, not storage.
/// </summary>
public static class SpecJson
{
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    public static string Serialize(ClusterSpec spec) => JsonSerializer.Serialize(spec, Options);

    public static JsonElement ToElement(ClusterSpec spec) => JsonSerializer.SerializeToElement(spec, Options);

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions
        {
            WriteIndented = true,
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };
        options.Converters.Add(new GoDurationConverter());
        options.Converters.Add(new RouteUrlConverter());
        return options;
    }

    private sealed class GoDurationConverter : JsonConverter<TimeSpan>
    {
        public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            GoDuration.TryParse(reader.GetString() ?? "", out var value, out var error) ? value : throw new JsonException(error);

        public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options) =>
            writer.WriteStringValue(GoDuration.Format(value));
    }

    private sealed class RouteUrlConverter : JsonConverter<RouteUrl>
    {
        public override RouteUrl Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("route URLs are never read from the display JSON");

        public override void Write(Utf8JsonWriter writer, RouteUrl value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.Format(redact: true));
    }
}

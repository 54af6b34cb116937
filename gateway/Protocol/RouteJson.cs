using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nats.OrleansRoutes.Protocol;

/// <summary>Reads and writes INFO and CONNECT JSON with source-generated serializers.</summary>
public static class RouteJson
{
    /// <summary>Parses an INFO's JSON; false (with the reason) when it is not valid JSON of the right shape.</summary>
    public static bool TryParseInfo(ReadOnlySpan<byte> json, [NotNullWhen(true)] out RouteInfo? info, out string? error) =>
        TryParse(json, RouteJsonContext.Default.RouteInfo, out info, out error);

    public static bool TryParseConnect(ReadOnlySpan<byte> json, [NotNullWhen(true)] out RouteConnect? connect, out string? error) =>
        TryParse(json, RouteJsonContext.Default.RouteConnect, out connect, out error);

    public static byte[] Serialize(RouteInfo info) => JsonSerializer.SerializeToUtf8Bytes(info, RouteJsonContext.Default.RouteInfo);

    public static byte[] Serialize(RouteConnect connect) => JsonSerializer.SerializeToUtf8Bytes(connect, RouteJsonContext.Default.RouteConnect);

    private static bool TryParse<T>(ReadOnlySpan<byte> json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type,
        [NotNullWhen(true)] out T? value, out string? error) where T : class
    {
        // Servers put a space before CR LF; JSON tolerates surrounding whitespace.
        try
        {
            value = JsonSerializer.Deserialize(json, type);
            error = value is null ? "null JSON value" : null;
            return value is not null;
        }
        catch (JsonException e)
        {
            value = null;
            error = e.Message;
            return false;
        }
    }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RouteInfo))]
[JsonSerializable(typeof(RouteConnect))]
internal sealed partial class RouteJsonContext : JsonSerializerContext;

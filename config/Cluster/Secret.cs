using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nats.OrleansRoutes.Config.Cluster;

/// <summary>
/// A password or other secret. It never shows itself: <see cref="ToString"/> is redacted, so a
/// spec can be logged or printed whole. Only <see cref="Reveal"/> gives the value, to the code that
/// must use it (hashing, dialling).
/// </summary>
[JsonConverter(typeof(RedactingSecretConverter))]
public sealed class Secret : IEquatable<Secret>
{
    public const string Redacted = "[REDACTED]";

    private readonly string _value;

    public Secret(string value) => _value = value ?? throw new ArgumentNullException(nameof(value));

    /// <summary>A bcrypt hash (<c>$2a$…</c>, <c>$2b$…</c>, <c>$2y$…</c>) rather than a clear-text password.</summary>
    public bool IsBcryptHash => _value.Length > 4 && _value[0] == '$' && _value[1] == '2' && _value[3] == '$'
        && _value[2] is 'a' or 'b' or 'y';

    public string Reveal() => _value;

    public override string ToString() => Redacted;

    public bool Equals(Secret? other) => other is not null && string.Equals(_value, other._value, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as Secret);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(_value);
}

/// <summary>Every JSON form of a <see cref="Secret"/> is <c>[REDACTED]</c>: no serializer can leak one.</summary>
public sealed class RedactingSecretConverter : JsonConverter<Secret>
{
    public override Secret Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        new(reader.GetString() ?? Secret.Redacted);

    public override void Write(Utf8JsonWriter writer, Secret value, JsonSerializerOptions options) =>
        writer.WriteStringValue(Secret.Redacted);
}

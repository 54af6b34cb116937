using System.Text.Json.Serialization;

namespace Nats.OrleansRoutes.Config.Cluster;

/// <summary>One entry of <c>routes</c>: <c>nats-route://[user:pass@]host:port</c> (or <c>nats://</c>).</summary>
public sealed record RouteUrl(string Scheme, string Host, int Port, string? User, Secret? Password)
{
    /// <summary>The URL with the password redacted, for output and logs.</summary>
    public override string ToString() => Format(redact: true);

    /// <summary>The URL as a member would dial it; with <paramref name="redact"/> false it contains the password.</summary>
    public string Format(bool redact)
    {
        var credentials = User is null ? "" :
            Password is null ? $"{Uri.EscapeDataString(User)}@" :
            $"{Uri.EscapeDataString(User)}:{(redact ? Secret.Redacted : Uri.EscapeDataString(Password.Reveal()))}@";
        var host = Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host;
        return $"{Scheme}://{credentials}{host}:{Port}";
    }

    /// <summary>host:port, the identity nats-server uses to spot duplicate routes.</summary>
    [JsonIgnore]
    public string Endpoint => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}

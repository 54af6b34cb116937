namespace Nats.OrleansRoutes.Runtime.Membership;

public enum SiloStatus
{
    Joining,
    Active,
    ShuttingDown,
    Dead,
}

/// <summary>
/// One silo in the membership table. <see cref="SiloId"/> names one incarnation: a silo that
/// restarts on the same endpoint is a new silo.
/// </summary>
public sealed record SiloEntry(string SiloId, string Host, int Port, SiloStatus Status, DateTimeOffset StartTime)
{
    public string Endpoint => $"{Host}:{Port}";

    public static string NewId(string host, int port, DateTimeOffset start) => $"{host}:{port}@{start.ToUnixTimeMilliseconds()}";
}

/// <summary>The whole table at one version: entries and their last heartbeats.</summary>
public sealed record MembershipSnapshot(long Version, IReadOnlyList<SiloEntry> Entries, IReadOnlyDictionary<string, DateTimeOffset> Heartbeats)
{
    public static MembershipSnapshot Empty { get; } = new(0, [], new Dictionary<string, DateTimeOffset>());
}

namespace Nats.OrleansRoutes.Runtime.Membership;

/// <summary>
/// The membership table: silo entries plus a table version. Joining, leaving and declaring a
/// silo dead are compare-and-set writes on the version (each bumps it); heartbeats are plain
/// writes that do not change it. Implementations: in memory (dev mode) and Redis.
/// </summary>
public interface IMembershipTable
{
    Task<MembershipSnapshot> ReadAsync(CancellationToken cancellationToken);

    /// <summary>Writes the entry if the table is still at <paramref name="expectedVersion"/>; false when another writer won.</summary>
    Task<bool> TryWriteAsync(SiloEntry entry, long expectedVersion, CancellationToken cancellationToken);

    /// <summary>Removes an entry (and its heartbeat) if the table is still at <paramref name="expectedVersion"/>.</summary>
    Task<bool> TryRemoveAsync(string siloId, long expectedVersion, CancellationToken cancellationToken);

    Task HeartbeatAsync(string siloId, DateTimeOffset at, CancellationToken cancellationToken);
}

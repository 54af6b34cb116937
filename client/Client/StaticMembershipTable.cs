using Nats.OrleansRoutes.Runtime.Membership;

namespace Nats.OrleansRoutes.Client;

/// <summary>A membership table of exactly one known silo (a dev instance), for clients that have no Redis.</summary>
internal sealed class StaticMembershipTable(string host, int port) : IMembershipTable
{
    private readonly MembershipSnapshot _snapshot = new(1,
        [new SiloEntry($"{host}:{port}@static", host, port, SiloStatus.Active, DateTimeOffset.UnixEpoch)],
        new Dictionary<string, DateTimeOffset>());

    public Task<MembershipSnapshot> ReadAsync(CancellationToken cancellationToken) => Task.FromResult(_snapshot);

    public Task<bool> TryWriteAsync(SiloEntry entry, long expectedVersion, CancellationToken cancellationToken) => Task.FromResult(false);

    public Task<bool> TryRemoveAsync(string siloId, long expectedVersion, CancellationToken cancellationToken) => Task.FromResult(false);

    public Task HeartbeatAsync(string siloId, DateTimeOffset at, CancellationToken cancellationToken) => Task.CompletedTask;
}

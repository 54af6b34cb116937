using Nats.OrleansRoutes.Runtime.Membership;
using Nats.OrleansRoutes.Runtime.Redis;

namespace Nats.OrleansRoutes.Tests.Integration.Runtime;

/// <summary>What every <see cref="IMembershipTable"/> must do; run against each implementation.</summary>
public abstract class MembershipConformanceTests
{
    protected abstract IMembershipTable Table { get; }

    private static SiloEntry Entry(int port, SiloStatus status = SiloStatus.Active) =>
        new(SiloEntry.NewId("127.0.0.1", port, DateTimeOffset.FromUnixTimeMilliseconds(1_000 + port)), "127.0.0.1", port, status,
            DateTimeOffset.FromUnixTimeMilliseconds(1_000 + port));

    [Fact]
    public async Task An_empty_table_is_version_zero()
    {
        var snapshot = await Table.ReadAsync(default);
        Assert.Equal(0, snapshot.Version);
        Assert.Empty(snapshot.Entries);
    }

    [Fact]
    public async Task Each_write_bumps_the_version()
    {
        Assert.True(await Table.TryWriteAsync(Entry(1), 0, default));
        Assert.True(await Table.TryWriteAsync(Entry(2), 1, default));
        var snapshot = await Table.ReadAsync(default);
        Assert.Equal(2, snapshot.Version);
        Assert.Equal([1, 2], snapshot.Entries.Select(e => e.Port).Order());
    }

    [Fact]
    public async Task A_write_against_a_stale_version_loses()
    {
        Assert.True(await Table.TryWriteAsync(Entry(1), 0, default));
        Assert.False(await Table.TryWriteAsync(Entry(2), 0, default));
        var snapshot = await Table.ReadAsync(default);
        Assert.Equal(1, snapshot.Version);
        Assert.Single(snapshot.Entries);
    }

    [Fact]
    public async Task Status_changes_replace_the_entry()
    {
        var entry = Entry(5);
        await Table.TryWriteAsync(entry, 0, default);
        await Table.TryWriteAsync(entry with { Status = SiloStatus.Dead }, 1, default);
        var snapshot = await Table.ReadAsync(default);
        Assert.Equal(SiloStatus.Dead, Assert.Single(snapshot.Entries).Status);
    }

    [Fact]
    public async Task Heartbeats_do_not_change_the_version()
    {
        var entry = Entry(7);
        await Table.TryWriteAsync(entry, 0, default);
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123);
        await Table.HeartbeatAsync(entry.SiloId, at, default);
        var snapshot = await Table.ReadAsync(default);
        Assert.Equal(1, snapshot.Version);
        Assert.Equal(at, snapshot.Heartbeats[entry.SiloId]);
    }

    [Fact]
    public async Task Removal_is_compare_and_set_and_drops_the_heartbeat()
    {
        var entry = Entry(9);
        await Table.TryWriteAsync(entry, 0, default);
        await Table.HeartbeatAsync(entry.SiloId, DateTimeOffset.UnixEpoch, default);
        Assert.False(await Table.TryRemoveAsync(entry.SiloId, 0, default));
        Assert.True(await Table.TryRemoveAsync(entry.SiloId, 1, default));
        var snapshot = await Table.ReadAsync(default);
        Assert.Empty(snapshot.Entries);
        Assert.Empty(snapshot.Heartbeats);
        Assert.Equal(2, snapshot.Version);
    }

    [Fact]
    public async Task Concurrent_joiners_all_get_in_by_retrying()
    {
        var joins = Enumerable.Range(100, 10).Select(async port =>
        {
            while (true)
            {
                var snapshot = await Table.ReadAsync(default);
                if (await Table.TryWriteAsync(Entry(port), snapshot.Version, default))
                    return;
            }
        });
        await Task.WhenAll(joins);
        var final = await Table.ReadAsync(default);
        Assert.Equal(10, final.Entries.Count);
        Assert.Equal(10, final.Version);
    }
}

public sealed class InMemoryMembershipConformanceTests : MembershipConformanceTests
{
    protected override IMembershipTable Table { get; } = new InMemoryMembershipTable();
}

public sealed class RedisMembershipConformanceTests(RedisFixture redis) : MembershipConformanceTests, IClassFixture<RedisFixture>
{
    protected override IMembershipTable Table { get; } = new RedisMembershipTable(redis.Connection, RedisFixture.IsolatedOptions());
}

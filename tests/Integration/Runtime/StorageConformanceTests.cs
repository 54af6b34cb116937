using Nats.OrleansRoutes.Runtime.Identity;
using Nats.OrleansRoutes.Runtime.Redis;
using Nats.OrleansRoutes.Runtime.Storage;

namespace Nats.OrleansRoutes.Tests.Integration.Runtime;

/// <summary>What every <see cref="IGrainStorage"/> must do; run against each implementation.</summary>
public abstract class StorageConformanceTests
{
    protected abstract IGrainStorage Storage { get; }

    private static GrainId NewGrain() => new("test", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Nothing_stored_reads_as_version_zero()
    {
        var state = await Storage.ReadAsync(NewGrain(), default);
        Assert.Equal(0, state.Version);
        Assert.Null(state.Data);
    }

    [Fact]
    public async Task Writes_bump_the_version_and_read_back()
    {
        var grain = NewGrain();
        Assert.Equal(1, await Storage.WriteAsync(grain, 0, [1, 2, 3], default));
        Assert.Equal(2, await Storage.WriteAsync(grain, 1, [4], default));
        var state = await Storage.ReadAsync(grain, default);
        Assert.Equal(2, state.Version);
        Assert.Equal([4], state.Data);
    }

    [Fact]
    public async Task A_stale_write_fails_and_changes_nothing()
    {
        var grain = NewGrain();
        await Storage.WriteAsync(grain, 0, [1], default);
        await Storage.WriteAsync(grain, 1, [2], default);
        var error = await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteAsync(grain, 1, [9], default));
        Assert.Equal(2, error.ActualVersion);
        Assert.Equal([2], (await Storage.ReadAsync(grain, default)).Data);
    }

    [Fact]
    public async Task A_first_write_must_expect_version_zero()
    {
        var grain = NewGrain();
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteAsync(grain, 3, [1], default));
        Assert.Equal(0, (await Storage.ReadAsync(grain, default)).Version);
    }

    [Fact]
    public async Task A_clear_leaves_a_tombstone_so_versions_are_never_reused()
    {
        var grain = NewGrain();
        await Storage.WriteAsync(grain, 0, [1], default);
        Assert.Equal(2, await Storage.ClearAsync(grain, 1, default));
        var cleared = await Storage.ReadAsync(grain, default);
        Assert.Equal((2L, (byte[]?)null), (cleared.Version, cleared.Data));
        // A writer that read version 1 before the clear must not succeed against the re-created state.
        Assert.Equal(3, await Storage.WriteAsync(grain, 2, [7], default));
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteAsync(grain, 1, [8], default));
        Assert.Equal([7], (await Storage.ReadAsync(grain, default)).Data);
    }

    [Fact]
    public async Task Concurrent_writers_with_the_same_expected_version_have_exactly_one_winner()
    {
        var grain = NewGrain();
        await Storage.WriteAsync(grain, 0, [0], default);
        var attempts = Enumerable.Range(0, 20).Select(async i =>
        {
            try
            {
                await Storage.WriteAsync(grain, 1, [(byte)i], default);
                return true;
            }
            catch (InconsistentStateException)
            {
                return false;
            }
        });
        var results = await Task.WhenAll(attempts);
        Assert.Equal(1, results.Count(r => r));
        Assert.Equal(2, (await Storage.ReadAsync(grain, default)).Version);
    }
}

public sealed class InMemoryStorageConformanceTests : StorageConformanceTests
{
    protected override IGrainStorage Storage { get; } = new InMemoryGrainStorage();
}

public sealed class RedisStorageConformanceTests(RedisFixture redis) : StorageConformanceTests, IClassFixture<RedisFixture>
{
    protected override IGrainStorage Storage { get; } = new RedisGrainStorage(redis.Connection, RedisFixture.IsolatedOptions());
}

using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Nats.OrleansRoutes.Runtime.Identity;
using Nats.OrleansRoutes.Runtime.Redis;
using Nats.OrleansRoutes.Runtime.Storage;
using Nats.OrleansRoutes.TestKit;

namespace Nats.OrleansRoutes.Tests.Integration.Runtime;

/// <summary>
/// A write the caller gave up on must never land later: Redis is paused (CLIENT PAUSE) so the
/// write reaches it only after its deadline; the script must refuse it.
/// </summary>
public sealed class RedisWriteFencingTests
{
    [Fact]
    public async Task A_write_that_runs_after_its_deadline_is_refused_not_applied()
    {
        await using var server = await RedisServer.StartAsync();
        using var connection = RedisConnection.Connect(
            Options.Create(new RedisOptions { Endpoint = server.Endpoint, OperationTimeout = TimeSpan.FromMilliseconds(500) }),
            NullLogger<RedisConnection>.Instance);
        var storage = new RedisGrainStorage(connection, RedisFixture.IsolatedOptions());
        var grain = new GrainId("test", "fenced");
        await storage.WriteAsync(grain, 0, [1], default);

        var pause = await ProcessRunner.RunAsync("redis-cli", ["-p", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "CLIENT", "PAUSE", "2500", "WRITE"], TimeSpan.FromSeconds(5));
        Assert.True(pause.ExitCode == 0, pause.AllOutput);

        await Assert.ThrowsAsync<StorageUnavailableException>(() => storage.WriteAsync(grain, 1, [2], default));
        await Task.Delay(TimeSpan.FromSeconds(3)); // the pause ends; the queued write runs now, too late

        var stored = await storage.ReadAsync(grain, default);
        Assert.Equal(1L, stored.Version);
        Assert.Equal([1], stored.Data);
        Assert.Equal(2, await storage.WriteAsync(grain, 1, [3], default)); // and the next write proceeds normally
    }
}

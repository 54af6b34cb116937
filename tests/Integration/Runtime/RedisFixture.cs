using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Nats.OrleansRoutes.Runtime.Hosting;
using Nats.OrleansRoutes.Runtime.Redis;
using Nats.OrleansRoutes.TestKit;

namespace Nats.OrleansRoutes.Tests.Integration.Runtime;

/// <summary>One real redis-server for a test class, and a connection to it.</summary>
public sealed class RedisFixture : IAsyncLifetime
{
    public RedisServer Server { get; private set; } = null!;

    public RedisConnection Connection { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await RedisServer.StartAsync();
        Connection = RedisConnection.Connect(Options.Create(new RedisOptions { Endpoint = Server.Endpoint }), NullLogger<RedisConnection>.Instance);
    }

    public async Task DisposeAsync()
    {
        Connection.Dispose();
        await Server.DisposeAsync();
    }

    /// <summary>Options with a prefix of their own, so tests sharing one server never see each other's keys.</summary>
    public static IOptions<RuntimeOptions> IsolatedOptions() =>
        Options.Create(new RuntimeOptions { KeyPrefix = "t" + Guid.NewGuid().ToString("N")[..12] });
}

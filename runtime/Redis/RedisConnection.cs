using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Nats.OrleansRoutes.Runtime.Storage;

namespace Nats.OrleansRoutes.Runtime.Redis;

/// <summary>
/// The one StackExchange.Redis connection of a process, kept behind the runtime's own
/// interfaces. It reconnects by itself; while Redis is down every operation fails at once with a
/// <see cref="StorageUnavailableException"/> naming the endpoint, instead of hanging.
/// </summary>
public sealed partial class RedisConnection : IDisposable
{
    private readonly ConnectionMultiplexer _multiplexer;
    private readonly ILogger _logger;

    private readonly long _operationTimeoutMs;

    private RedisConnection(ConnectionMultiplexer multiplexer, string endpoint, TimeSpan operationTimeout, ILogger logger)
    {
        _multiplexer = multiplexer;
        _operationTimeoutMs = (long)operationTimeout.TotalMilliseconds;
        Endpoint = endpoint;
        _logger = logger;
        _multiplexer.ConnectionFailed += (_, e) => LogConnectionFailed(_logger, Endpoint, e.FailureType.ToString());
        _multiplexer.ConnectionRestored += (_, _) => LogConnectionRestored(_logger, Endpoint);
    }

    public string Endpoint { get; }

    internal IDatabase Database => _multiplexer.GetDatabase();

    internal ISubscriber Subscriber => _multiplexer.GetSubscriber();

    public static RedisConnection Connect(IOptions<RedisOptions> options, ILogger<RedisConnection> logger)
    {
        var o = options.Value;
        var config = ConfigurationOptions.Parse(o.Endpoint);
        config.AbortOnConnectFail = false; // start even if Redis is down; operations fail fast until it is back
        config.ConnectTimeout = (int)o.ConnectTimeout.TotalMilliseconds;
        config.SyncTimeout = (int)o.OperationTimeout.TotalMilliseconds;
        config.ConnectRetry = 1;
        config.KeepAlive = 5;
        config.ClientName = "natsroutes";
        return new RedisConnection(ConnectionMultiplexer.Connect(config), o.Endpoint, o.OperationTimeout, logger);
    }

    /// <summary>Runs one Redis operation, turning every Redis failure into a clear StorageUnavailableException.</summary>
    internal async Task<T> RunAsync<T>(Func<IDatabase, Task<T>> operation, string what)
    {
        if (!_multiplexer.IsConnected)
            throw new StorageUnavailableException($"Redis at {Endpoint} is not reachable ({what}); the operation was not attempted");
        try
        {
            // The caller waits a little longer than a write's deadline, so a write that ran in time
            // is never reported as failed; one that runs later is refused by its script.
            return await operation(Database).WaitAsync(TimeSpan.FromMilliseconds(_operationTimeoutMs + 1000));
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            throw new StorageUnavailableException($"Redis at {Endpoint} failed ({what}): {e.Message}", e);
        }
    }

    /// <summary>
    /// The latest moment (unix ms, this host's clock) a write may run at in Redis: the operation
    /// timeout from now. After it, the caller has been told the write failed, so the script refuses it.
    /// </summary>
    internal long WriteDeadline() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + _operationTimeoutMs;

    internal StorageUnavailableException LateWrite(string what, long deadline) =>
        new($"Redis at {Endpoint} ran '{what}' after its deadline ({DateTimeOffset.FromUnixTimeMilliseconds(deadline):O}) and refused it; "
            + "if this keeps happening, Redis is overloaded or its clock is ahead of this host's (keep clocks in sync)");

    public void Dispose() => _multiplexer.Dispose();

    [LoggerMessage(EventId = 500, Level = LogLevel.Warning, Message = "Lost the connection to Redis at {Endpoint}: {Failure}")]
    private static partial void LogConnectionFailed(ILogger logger, string endpoint, string failure);

    [LoggerMessage(EventId = 501, Level = LogLevel.Information, Message = "Connection to Redis at {Endpoint} restored")]
    private static partial void LogConnectionRestored(ILogger logger, string endpoint);
}

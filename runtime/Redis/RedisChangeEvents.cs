using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Nats.OrleansRoutes.Runtime.Events;
using Nats.OrleansRoutes.Runtime.Hosting;

namespace Nats.OrleansRoutes.Runtime.Redis;

/// <summary>Change events over Redis pub/sub. Delivery is best effort; subscribers also re-read periodically.</summary>
public sealed class RedisChangeEvents(RedisConnection redis, IOptions<RuntimeOptions> options) : IChangeEvents
{
    private readonly RedisKeys _keys = new(options.Value.KeyPrefix);

    public Task PublishAsync(string topic, string message, CancellationToken cancellationToken) =>
        redis.RunAsync(_ => redis.Subscriber.PublishAsync(_keys.Channel(topic), message), $"publish {topic}");

    public IDisposable Subscribe(string topic, Action<string> handler)
    {
        var channel = (RedisChannel)_keys.Channel(topic);
        Action<RedisChannel, RedisValue> callback = (_, value) => handler((string)value!);
        // Subscribing is remembered by the multiplexer and redone after a reconnect.
        redis.Subscriber.Subscribe(channel, callback, CommandFlags.FireAndForget);
        return new Subscription(() => redis.Subscriber.Unsubscribe(channel, callback, CommandFlags.FireAndForget));
    }

    private sealed class Subscription(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}

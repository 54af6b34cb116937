using Nats.OrleansRoutes.TestKit.Nats;

namespace Nats.OrleansRoutes.Tests.Integration.Gateway;

/// <summary>
/// Waits until interest sent by one client has reached another member. A member sends one
/// account's interest in order on one route connection and the gateway relays it in order, so once
/// a probe subscription made after the others is usable from the publisher, the others are too.
/// </summary>
public static class InterestProbe
{
    public static async Task WaitAsync(NatsClient subscriber, NatsClient publisher, TimeSpan? timeout = null)
    {
        var subject = "probe." + Guid.NewGuid().ToString("N");
        var probe = await subscriber.SubscribeAsync(subject);
        await subscriber.PingAsync();
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (probe.Count == 0)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"interest from {subscriber.Name} did not reach {publisher.Name} within {timeout ?? TimeSpan.FromSeconds(20)}");
            await publisher.PublishAsync(subject, "probe");
            await Task.Delay(50);
        }
        await probe.UnsubscribeAsync();
        await subscriber.PingAsync();
    }

    /// <summary>Every subscriber's interest has reached every publisher.</summary>
    public static async Task WaitAllAsync(IReadOnlyList<NatsClient> subscribers, IReadOnlyList<NatsClient> publishers)
    {
        foreach (var subscriber in subscribers)
        {
            foreach (var publisher in publishers)
            {
                if (subscriber != publisher)
                    await WaitAsync(subscriber, publisher);
            }
        }
    }
}

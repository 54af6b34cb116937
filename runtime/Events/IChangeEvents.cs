namespace Nats.OrleansRoutes.Runtime.Events;

/// <summary>
/// Hints that something changed ("cluster acme/prod 17", "membership 12"). Subscribers treat
/// them as hints and reconcile by reading the versioned source, so a lost event only delays a
/// change; every subscriber also re-reads periodically.
/// </summary>
public interface IChangeEvents
{
    Task PublishAsync(string topic, string message, CancellationToken cancellationToken);

    /// <summary>Calls <paramref name="handler"/> for every message on <paramref name="topic"/>; dispose to stop.</summary>
    IDisposable Subscribe(string topic, Action<string> handler);
}

/// <summary>Change events inside one process (dev mode and tests).</summary>
public sealed class InMemoryChangeEvents : IChangeEvents
{
    private readonly Lock _lock = new();
    private readonly List<(string Topic, Action<string> Handler)> _handlers = [];

    public Task PublishAsync(string topic, string message, CancellationToken cancellationToken)
    {
        List<Action<string>> targets;
        lock (_lock)
            targets = [.. _handlers.Where(h => h.Topic == topic).Select(h => h.Handler)];
        foreach (var handler in targets)
        {
            // Deliver asynchronously, as a broker would, so a publisher never runs subscriber code.
            ThreadPool.QueueUserWorkItem(static s => s.handler(s.message), (handler, message), preferLocal: false);
        }
        return Task.CompletedTask;
    }

    public IDisposable Subscribe(string topic, Action<string> handler)
    {
        var entry = (topic, handler);
        lock (_lock)
            _handlers.Add(entry);
        return new Subscription(() =>
        {
            lock (_lock)
                _handlers.Remove(entry);
        });
    }

    private sealed class Subscription(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}

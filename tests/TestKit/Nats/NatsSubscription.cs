using System.Threading.Channels;

namespace Nats.OrleansRoutes.TestKit.Nats;

/// <summary>
/// One SUB of a <see cref="NatsClient"/>. Messages are queued for the test to read, or — for load
/// (<c>countOnly</c>) — only counted, with the bytes received.
/// </summary>
public sealed class NatsSubscription
{
    private readonly Channel<NatsMessage> _messages = Channel.CreateUnbounded<NatsMessage>();
    private readonly NatsClient _client;
    private long _count;
    private long _bytes;

    internal NatsSubscription(NatsClient client, int sid, string subject, string? queue, bool countOnly)
    {
        _client = client;
        Sid = sid;
        Subject = subject;
        Queue = queue;
        CountOnly = countOnly;
    }

    public int Sid { get; }

    public string Subject { get; }

    public string? Queue { get; }

    public bool CountOnly { get; }

    /// <summary>Messages received so far.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>Payload bytes received so far.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    internal void OnCounted(int payloadBytes)
    {
        Interlocked.Increment(ref _count);
        Interlocked.Add(ref _bytes, payloadBytes);
    }

    internal void OnMessage(NatsMessage message)
    {
        OnCounted(message.Payload.Length);
        _messages.Writer.TryWrite(message);
    }

    /// <summary>The next message; throws <see cref="TimeoutException"/> naming the subject if none comes in time.</summary>
    public async Task<NatsMessage> NextAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            return await _messages.Reader.ReadAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no message on \"{Subject}\" (sid {Sid}, {_client.Name}) within {timeout}");
        }
    }

    /// <summary>A message already received, if any.</summary>
    public bool TryNext(out NatsMessage message) => _messages.Reader.TryRead(out message!);

    /// <summary>Waits until <paramref name="count"/> messages are queued (or the timeout) and returns those queued, at most count.</summary>
    public async Task<List<NatsMessage>> CollectAsync(int count, TimeSpan timeout)
    {
        var received = new List<NatsMessage>(count);
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            while (received.Count < count)
                received.Add(await _messages.Reader.ReadAsync(deadline.Token));
        }
        catch (OperationCanceledException)
        {
        }
        return received;
    }

    /// <summary>Waits until nothing new arrives for <paramref name="quiet"/>; returns everything queued.</summary>
    public async Task<List<NatsMessage>> DrainAsync(TimeSpan quiet)
    {
        var received = new List<NatsMessage>();
        while (true)
        {
            using var deadline = new CancellationTokenSource(quiet);
            try
            {
                received.Add(await _messages.Reader.ReadAsync(deadline.Token));
            }
            catch (OperationCanceledException)
            {
                return received;
            }
        }
    }

    /// <summary>Waits until <see cref="Count"/> reaches <paramref name="count"/>; false on timeout.</summary>
    public async Task<bool> WaitForCountAsync(long count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Count < count)
        {
            if (DateTime.UtcNow > deadline)
                return false;
            await Task.Delay(5);
        }
        return true;
    }

    public Task UnsubscribeAsync() => _client.UnsubscribeAsync(this);
}

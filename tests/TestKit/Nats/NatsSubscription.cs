using System.Threading.Channels;
using NATS.Client.Core;

namespace Nats.OrleansRoutes.TestKit.Nats;

/// <summary>
/// One subscription of a <see cref="NatsClient"/>. Messages are queued for the test to read, or —
/// for load (<c>countOnly</c>) — only counted, with the bytes received.
/// </summary>
public sealed class NatsSubscription
{
    private readonly Channel<NatsMessage> _messages = Channel.CreateUnbounded<NatsMessage>();
    private readonly NatsClient _client;
    private readonly INatsSub<byte[]> _subscription;
    private long _count;
    private long _bytes;

    internal NatsSubscription(NatsClient client, INatsSub<byte[]> subscription, bool countOnly, CancellationToken closed)
    {
        _client = client;
        _subscription = subscription;
        CountOnly = countOnly;
        _ = PumpAsync(closed);
    }

    public string Subject => _subscription.Subject;

    public string? Queue => _subscription.QueueGroup;

    public bool CountOnly { get; }

    /// <summary>Messages received so far.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>Payload bytes received so far.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    private async Task PumpAsync(CancellationToken closed)
    {
        try
        {
            await foreach (var message in _subscription.Msgs.ReadAllAsync(closed))
            {
                Interlocked.Add(ref _bytes, message.Data?.Length ?? 0);
                Interlocked.Increment(ref _count);
                if (!CountOnly)
                    _messages.Writer.TryWrite(NatsMessage.From(message));
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            _messages.Writer.TryComplete();
        }
    }

    /// <summary>The next message; throws <see cref="TimeoutException"/> naming the subject if none comes in time.</summary>
    public Task<NatsMessage> NextAsync(TimeSpan timeout) => NextAsync(timeout, CancellationToken.None);

    internal async Task<NatsMessage> NextAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            return await _messages.Reader.ReadAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"no message on \"{Subject}\" ({_client.Name}) within {timeout}");
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
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
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
            catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
            {
                return received;
            }
        }
    }

    /// <summary>Waits until <see cref="Count"/> reaches <paramref name="count"/>; false on timeout.</summary>
    public Task<bool> WaitForCountAsync(long count, TimeSpan timeout) => Eventually.CountReachesAsync(() => Count, count, timeout);

    /// <summary>
    /// UNSUB, then a PING round trip: what the server delivered before it processed the UNSUB is still
    /// received (NATS.Net's drain), so tests can account for every message the server handed out.
    /// </summary>
    public Task UnsubscribeAsync() => _subscription.DrainAsync().AsTask();
}

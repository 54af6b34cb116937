using System.Text;
using System.Threading.Channels;
using NATS.Client.Core;

namespace Nats.OrleansRoutes.TestKit.Nats;

/// <summary>
/// A NATS client for tests and benchmarks: the official client (NATS.Net's <see cref="NatsConnection"/>)
/// with what the tests share on top: subscriptions whose messages are queued for the test (or only
/// counted, for load), a PING round trip that proves the server has processed everything sent
/// before it, request/reply and a responder. It does not reconnect: a server that goes away ends it.
/// </summary>
public sealed class NatsClient : IAsyncDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);
    private readonly NatsConnection _connection;
    private readonly CancellationTokenSource _closed = new();

    private NatsClient(NatsConnection connection, string name)
    {
        _connection = connection;
        Name = name;
    }

    /// <summary>Names the client in messages (and in the server's connz).</summary>
    public string Name { get; }

    /// <summary>The <c>server_name</c> of the server's INFO.</summary>
    public string ServerName => _connection.ServerInfo?.Name ?? "";

    public static async Task<NatsClient> ConnectAsync(string host, int port, string? user = null, string? password = null,
        string? name = null, CancellationToken cancellationToken = default)
    {
        name ??= $"test-client@{host}:{port}";
        var options = NatsOpts.Default with
        {
            Url = $"nats://{host}:{port}",
            Name = name,
            AuthOpts = NatsAuthOpts.Default with { Username = user, Password = password },
            ConnectTimeout = DefaultTimeout,
            // The one dial; a reconnect fails, and after one failed retry the client gives up.
            SocketConnectionFactory = new DialOnceSocketFactory(),
            MaxReconnectRetry = 1,
            // Tests count every message: never drop one because the test reads slower than the server sends.
            SubPendingChannelCapacity = 1 << 20,
            SubPendingChannelFullMode = BoundedChannelFullMode.Wait,
        };
        var connection = new NatsConnection(options);
        try
        {
            await connection.ConnectAsync().AsTask().WaitAsync(DefaultTimeout, cancellationToken);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
        return new NatsClient(connection, name);
    }

    /// <summary>SUB; the server has it once a later <see cref="PingAsync"/> returns.</summary>
    public async Task<NatsSubscription> SubscribeAsync(string subject, string? queue = null, bool countOnly = false)
    {
        var subscription = await _connection.SubscribeCoreAsync<byte[]>(subject, queue);
        return new NatsSubscription(this, subscription, countOnly, _closed.Token);
    }

    public Task PublishAsync(string subject, string text, string? replyTo = null, IReadOnlyList<KeyValuePair<string, string>>? headers = null) =>
        PublishAsync(subject, Encoding.UTF8.GetBytes(text), replyTo, headers);

    /// <summary>PUB (or HPUB with <paramref name="headers"/>), in order with everything else this client sends.</summary>
    public async Task PublishAsync(string subject, ReadOnlyMemory<byte> payload, string? replyTo = null,
        IReadOnlyList<KeyValuePair<string, string>>? headers = null)
    {
        NatsHeaders? natsHeaders = null;
        if (headers is not null)
        {
            natsHeaders = [];
            foreach (var (key, value) in headers)
                natsHeaders.Add(key, value);
        }
        await _connection.PublishAsync(subject, payload.ToArray(), natsHeaders, replyTo);
    }

    /// <summary><paramref name="count"/> PUBs of one payload (for load).</summary>
    public async Task PublishBatchAsync(string subject, ReadOnlyMemory<byte> payload, int count)
    {
        var data = payload.ToArray();
        for (var i = 0; i < count; i++)
            await _connection.PublishAsync(subject, data);
    }

    /// <summary>A PING round trip: when it returns the server has processed everything sent before.</summary>
    public async Task PingAsync(TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        try
        {
            await _connection.PingAsync().AsTask().WaitAsync(limit);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{Name}: no PONG within {limit} (connection {_connection.ConnectionState})");
        }
    }

    /// <summary>Publishes with a unique reply subject and waits for the first answer (a 503 status message when nobody listens).</summary>
    public async Task<NatsMessage> RequestAsync(string subject, ReadOnlyMemory<byte> payload, TimeSpan timeout)
    {
        try
        {
            var reply = await _connection.RequestAsync<byte[], byte[]>(subject, payload.ToArray(), replyOpts: new NatsSubOpts { Timeout = timeout });
            return NatsMessage.From(reply);
        }
        catch (NatsNoRespondersException)
        {
            // The server's answer when nobody subscribes: a status message (503), as it arrives on the wire.
            return new NatsMessage(subject, null, [], "NATS/1.0 503\r\n\r\n");
        }
        catch (NatsNoReplyException)
        {
            throw new TimeoutException($"{Name}: no reply to a request on \"{subject}\" within {timeout}");
        }
    }

    /// <summary>Answers every request on <paramref name="subject"/> with <paramref name="answer"/> until disposed.</summary>
    public async Task<NatsSubscription> ServeAsync(string subject, Func<NatsMessage, byte[]> answer, string? queue = null)
    {
        var subscription = await SubscribeAsync(subject, queue);
        _ = Task.Run(async () =>
        {
            try
            {
                while (!_closed.IsCancellationRequested)
                {
                    var request = await subscription.NextAsync(Timeout.InfiniteTimeSpan, _closed.Token);
                    if (request.ReplyTo is not null)
                        await _connection.PublishAsync(request.ReplyTo, answer(request));
                }
            }
            catch (Exception e) when (_closed.IsCancellationRequested || e is ChannelClosedException or NatsException)
            {
                // The client or its connection closed.
            }
        });
        return subscription;
    }

    public async ValueTask DisposeAsync()
    {
        await _closed.CancelAsync();
        await _connection.DisposeAsync();
        _closed.Dispose();
    }
}

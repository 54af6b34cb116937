using System.Buffers;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Nats.OrleansRoutes.TestKit.Nats;

/// <summary>
/// A small NATS client (client protocol: CONNECT, PUB/HPUB, SUB/UNSUB, PING/PONG, MSG/HMSG) for
/// tests and benchmarks. No NATS client package restores here, and the tests need few features:
/// publish, subscribe (optionally in a queue group), request/reply, headers, and a PING round
/// trip that proves the server has processed everything sent before it.
/// </summary>
public sealed class NatsClient : IAsyncDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);
    private readonly Socket _socket;
    private readonly PipeReader _reader;
    private readonly PipeWriter _writer;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentDictionary<int, NatsSubscription> _subscriptions = new();
    private readonly ConcurrentQueue<TaskCompletionSource> _pongs = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<NatsMessage>> _requests = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _closed = new();
    private readonly string _inbox = "_INBOX." + Guid.NewGuid().ToString("N");
    private Task _readLoop = Task.CompletedTask;
    private NatsSubscription? _inboxSubscription;
    private int _nextSid;
    private int _nextRequest;

    private NatsClient(Socket socket, string name)
    {
        _socket = socket;
        var stream = new NetworkStream(socket, ownsSocket: false);
        _reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024));
        _writer = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 64 * 1024));
        Name = name;
    }

    /// <summary>Names the client in messages (and in the server's connz).</summary>
    public string Name { get; }

    /// <summary>The server's INFO.</summary>
    public JsonElement Info { get; private set; }

    public string ServerName => Info.TryGetProperty("server_name", out var n) ? n.GetString() ?? "" : "";

    /// <summary>-ERR lines the server sent.</summary>
    public ConcurrentQueue<string> Errors { get; } = new();

    /// <summary>Set when the connection has ended (the server closed it or the client was disposed).</summary>
    public bool IsClosed => _closed.IsCancellationRequested;

    public static async Task<NatsClient> ConnectAsync(string host, int port, string? user = null, string? password = null,
        string? name = null, CancellationToken cancellationToken = default)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(DefaultTimeout);
        await socket.ConnectAsync(host, port, timeout.Token);
        var client = new NatsClient(socket, name ?? $"test-client@{host}:{port}");
        try
        {
            await client.HandshakeAsync(user, password, timeout.Token);
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    private async Task HandshakeAsync(string? user, string? password, CancellationToken cancellationToken)
    {
        while (true)
        {
            var read = await _reader.ReadAsync(cancellationToken);
            var buffer = read.Buffer;
            var end = buffer.PositionOf((byte)'\n');
            if (end is { } newline)
            {
                var line = Encoding.UTF8.GetString(buffer.Slice(0, newline)).TrimEnd('\r');
                _reader.AdvanceTo(buffer.GetPosition(1, newline));
                if (!line.StartsWith("INFO ", StringComparison.Ordinal))
                    throw new InvalidOperationException($"{Name}: expected INFO, got \"{line}\"");
                Info = JsonDocument.Parse(line[5..]).RootElement.Clone();
                break;
            }
            if (read.IsCompleted)
                throw new IOException($"{Name}: the server closed the connection before INFO");
            _reader.AdvanceTo(buffer.Start, buffer.End);
        }
        var connect = new Dictionary<string, object>
        {
            ["verbose"] = false,
            ["pedantic"] = false,
            ["headers"] = true,
            ["no_responders"] = true,
            ["protocol"] = 1,
            ["name"] = Name,
            ["lang"] = "dotnet-test",
            ["version"] = "1.0",
        };
        if (user is not null)
            connect["user"] = user;
        if (password is not null)
            connect["pass"] = password;
        _readLoop = Task.Run(ReadLoopAsync, CancellationToken.None);
        await WriteAsync($"CONNECT {JsonSerializer.Serialize(connect)}\r\n");
        await PingAsync(DefaultTimeout);
    }

    /// <summary>SUB; the server has it once a later <see cref="PingAsync"/> returns.</summary>
    public async Task<NatsSubscription> SubscribeAsync(string subject, string? queue = null, bool countOnly = false)
    {
        var sid = Interlocked.Increment(ref _nextSid);
        var subscription = new NatsSubscription(this, sid, subject, queue, countOnly);
        _subscriptions[sid] = subscription;
        await WriteAsync(queue is null ? $"SUB {subject} {sid}\r\n" : $"SUB {subject} {queue} {sid}\r\n");
        return subscription;
    }

    /// <summary>
    /// UNSUB. The subscription keeps receiving what the server delivered before it processed the
    /// UNSUB, so tests can account for every message the server handed out.
    /// </summary>
    public Task UnsubscribeAsync(NatsSubscription subscription) => WriteAsync($"UNSUB {subscription.Sid}\r\n");

    /// <summary>PUB (or HPUB with <paramref name="headers"/>), written and flushed.</summary>
    public async Task PublishAsync(string subject, ReadOnlyMemory<byte> payload, string? replyTo = null,
        IReadOnlyList<KeyValuePair<string, string>>? headers = null)
    {
        await _writeLock.WaitAsync();
        try
        {
            WritePublish(subject, payload.Span, replyTo, headers);
            await _writer.FlushAsync();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public Task PublishAsync(string subject, string text, string? replyTo = null, IReadOnlyList<KeyValuePair<string, string>>? headers = null) =>
        PublishAsync(subject, Encoding.UTF8.GetBytes(text), replyTo, headers);

    /// <summary>Writes <paramref name="count"/> PUBs of one payload with one flush (for load: the frame is encoded once).</summary>
    public async Task PublishBatchAsync(string subject, ReadOnlyMemory<byte> payload, int count)
    {
        var header = Encoding.ASCII.GetBytes($"PUB {subject} {payload.Length}\r\n");
        var frame = new byte[header.Length + payload.Length + 2];
        header.CopyTo(frame, 0);
        payload.Span.CopyTo(frame.AsSpan(header.Length));
        frame[^2] = (byte)'\r';
        frame[^1] = (byte)'\n';
        await _writeLock.WaitAsync();
        try
        {
            for (var i = 0; i < count; i++)
                _writer.Write(frame);
            await _writer.FlushAsync();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Writes one PUB per text with one flush (a burst of distinct messages).</summary>
    public async Task PublishManyAsync(string subject, IEnumerable<string> texts)
    {
        await _writeLock.WaitAsync();
        try
        {
            foreach (var text in texts)
                WritePublish(subject, Encoding.UTF8.GetBytes(text), null, null);
            await _writer.FlushAsync();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private void WritePublish(string subject, ReadOnlySpan<byte> payload, string? replyTo, IReadOnlyList<KeyValuePair<string, string>>? headers)
    {
        var reply = replyTo is null ? "" : " " + replyTo;
        if (headers is null)
        {
            WriteAscii($"PUB {subject}{reply} ");
            WriteNumber(payload.Length);
            WriteAscii("\r\n");
        }
        else
        {
            var block = new StringBuilder("NATS/1.0\r\n");
            foreach (var (key, value) in headers)
                block.Append(key).Append(": ").Append(value).Append("\r\n");
            block.Append("\r\n");
            var headerBytes = Encoding.UTF8.GetBytes(block.ToString());
            WriteAscii($"HPUB {subject}{reply} {headerBytes.Length} {headerBytes.Length + payload.Length}\r\n");
            _writer.Write(headerBytes);
        }
        _writer.Write(payload);
        WriteAscii("\r\n");
    }

    private void WriteAscii(string text)
    {
        var span = _writer.GetSpan(text.Length);
        var written = Encoding.ASCII.GetBytes(text, span);
        _writer.Advance(written);
    }

    private void WriteNumber(int value)
    {
        var span = _writer.GetSpan(11);
        Utf8Formatter.TryFormat(value, span, out var written);
        _writer.Advance(written);
    }

    /// <summary>A PING round trip: when it returns the server has processed everything sent before.</summary>
    public async Task PingAsync(TimeSpan? timeout = null)
    {
        var pong = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _writeLock.WaitAsync();
        try
        {
            _pongs.Enqueue(pong);
            WriteAscii("PING\r\n");
            await _writer.FlushAsync();
        }
        finally
        {
            _writeLock.Release();
        }
        var limit = timeout ?? DefaultTimeout;
        if (await Task.WhenAny(pong.Task, Task.Delay(limit)) != pong.Task)
            throw new TimeoutException($"{Name}: no PONG within {limit}{(IsClosed ? " (connection closed)" : "")}");
        await pong.Task;
    }

    /// <summary>Publishes with a unique reply subject and waits for the first answer.</summary>
    public async Task<NatsMessage> RequestAsync(string subject, ReadOnlyMemory<byte> payload, TimeSpan timeout)
    {
        if (_inboxSubscription is null)
        {
            _inboxSubscription = await SubscribeAsync(_inbox + ".*");
            await PingAsync();
        }
        var token = Interlocked.Increment(ref _nextRequest).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var reply = _inbox + "." + token;
        var answer = new TaskCompletionSource<NatsMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _requests[reply] = answer;
        try
        {
            await PublishAsync(subject, payload, reply);
            if (await Task.WhenAny(answer.Task, Task.Delay(timeout)) != answer.Task)
                throw new TimeoutException($"{Name}: no reply to a request on \"{subject}\" within {timeout}");
            return await answer.Task;
        }
        finally
        {
            _requests.TryRemove(reply, out _);
        }
    }

    /// <summary>Answers every request on <paramref name="subject"/> with <paramref name="answer"/> until disposed.</summary>
    public async Task<NatsSubscription> ServeAsync(string subject, Func<NatsMessage, byte[]> answer, string? queue = null)
    {
        var subscription = await SubscribeAsync(subject, queue);
        _ = Task.Run(async () =>
        {
            while (!IsClosed)
            {
                NatsMessage request;
                try
                {
                    request = await subscription.NextAsync(TimeSpan.FromDays(1));
                }
                catch (TimeoutException)
                {
                    continue;
                }
                try
                {
                    if (request.ReplyTo is not null && !IsClosed)
                        await PublishAsync(request.ReplyTo, answer(request));
                }
                catch (Exception e) when (IsClosed && e is IOException or ObjectDisposedException or SocketException)
                {
                    return;
                }
            }
        });
        return subscription;
    }

    private async Task WriteAsync(string text)
    {
        await _writeLock.WaitAsync();
        try
        {
            WriteAscii(text);
            await _writer.FlushAsync();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (true)
            {
                var read = await _reader.ReadAsync(_closed.Token);
                var buffer = read.Buffer;
                var pongs = 0;
                while (TryReadOne(ref buffer, ref pongs))
                {
                }
                _reader.AdvanceTo(buffer.Start, buffer.End);
                for (; pongs > 0; pongs--)
                {
                    if (_pongs.TryDequeue(out var pong))
                        pong.TrySetResult();
                }
                if (read.IsCompleted)
                    break;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            await _closed.CancelAsync();
            while (_pongs.TryDequeue(out var pong))
                pong.TrySetException(new IOException($"{Name}: connection closed"));
        }
    }

    /// <summary>Consumes one complete operation from <paramref name="buffer"/>; false when more bytes are needed.</summary>
    private bool TryReadOne(ref ReadOnlySequence<byte> buffer, ref int pongs)
    {
        var newline = buffer.PositionOf((byte)'\n');
        if (newline is null)
            return false;
        var lineSequence = buffer.Slice(0, newline.Value);
        Span<byte> small = stackalloc byte[1024];
        var line = lineSequence.IsSingleSegment ? lineSequence.FirstSpan : Copy(lineSequence, small);
        if (line.Length > 0 && line[^1] == '\r')
            line = line[..^1];
        var afterLine = buffer.GetPosition(1, newline.Value);

        if (line.StartsWith("MSG "u8) || line.StartsWith("HMSG "u8))
        {
            var headers = line[0] == 'H';
            var args = line[(headers ? 5 : 4)..];
            Span<Range> fields = stackalloc Range[6];
            var n = SplitFields(args, fields);
            var total = ParseInt(args[fields[n - 1]]);
            var headerLength = headers ? ParseInt(args[fields[n - 2]]) : 0;
            var rest = buffer.Slice(afterLine);
            if (rest.Length < total + 2)
                return false;
            var sid = ParseInt(args[fields[1]]);
            if (_subscriptions.TryGetValue(sid, out var subscription))
            {
                if (subscription.CountOnly)
                {
                    subscription.OnCounted(total - headerLength);
                }
                else
                {
                    var fixedFields = headers ? 4 : 3;
                    var subject = Encoding.ASCII.GetString(args[fields[0]]);
                    var reply = n > fixedFields ? Encoding.ASCII.GetString(args[fields[2]]) : null;
                    var body = rest.Slice(0, total);
                    var headerText = headers ? Encoding.UTF8.GetString(body.Slice(0, headerLength)) : null;
                    var message = new NatsMessage(subject, reply, body.Slice(headerLength).ToArray(), headerText);
                    if (subscription == _inboxSubscription && _requests.TryRemove(subject, out var waiting))
                        waiting.TrySetResult(message);
                    else
                        subscription.OnMessage(message);
                }
            }
            buffer = rest.Slice(total + 2);
            return true;
        }
        if (line.SequenceEqual("PING"u8))
        {
            WriteAsync("PONG\r\n").ContinueWith(_ => { }, TaskScheduler.Default);
        }
        else if (line.SequenceEqual("PONG"u8))
        {
            pongs++;
        }
        else if (line.StartsWith("-ERR"u8))
        {
            Errors.Enqueue(Encoding.UTF8.GetString(line));
        }
        buffer = buffer.Slice(afterLine);
        return true;
    }

    private static ReadOnlySpan<byte> Copy(ReadOnlySequence<byte> sequence, Span<byte> small)
    {
        var target = sequence.Length <= small.Length ? small : new byte[sequence.Length];
        sequence.CopyTo(target);
        return target[..(int)sequence.Length];
    }

    private static int SplitFields(ReadOnlySpan<byte> text, Span<Range> fields)
    {
        var n = 0;
        var i = 0;
        while (i < text.Length && n < fields.Length)
        {
            while (i < text.Length && text[i] is (byte)' ' or (byte)'\t')
                i++;
            var start = i;
            while (i < text.Length && text[i] is not ((byte)' ' or (byte)'\t'))
                i++;
            if (i > start)
                fields[n++] = new Range(start, i);
        }
        return n;
    }

    private static int ParseInt(ReadOnlySpan<byte> digits) =>
        Utf8Parser.TryParse(digits, out int value, out var used) && used == digits.Length
            ? value
            : throw new InvalidDataException($"not a number: \"{Encoding.ASCII.GetString(digits)}\"");

    public async ValueTask DisposeAsync()
    {
        await _closed.CancelAsync();
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        _socket.Dispose();
        await _readLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _writeLock.Dispose();
        _closed.Dispose();
    }
}

using System.Buffers;
using System.Buffers.Text;
using System.IO.Pipelines;
using System.Net.Sockets;
using Nats.OrleansRoutes.TestKit;

namespace Nats.OrleansRoutes.Bench.Relay;

/// <summary>
/// The throughput runs' sink: one subscription on a raw connection that only counts <c>MSG</c>
/// frames (skipping their payloads) and answers the server's PINGs, so the subscriber costs almost
/// nothing and the path under test sets the rate. A general client (NATS.Net included) hands every
/// message to the application and would be the bottleneck on two cores.
/// </summary>
internal sealed class CountingSubscriber : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private Task _reading = Task.CompletedTask;
    private TaskCompletionSource _pong = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _count;

    private CountingSubscriber(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    /// <summary>Messages counted so far.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>Connects, subscribes to <paramref name="subject"/> and returns once the server has the subscription.</summary>
    public static async Task<CountingSubscriber> ConnectAsync(int port, string subject)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync("127.0.0.1", port);
        var subscriber = new CountingSubscriber(socket);
        subscriber._reading = subscriber.ReadAsync(PipeReader.Create(subscriber._stream, new StreamPipeReaderOptions(bufferSize: 256 * 1024)));
        await subscriber.WriteAsync($"CONNECT {{\"verbose\":false,\"pedantic\":false,\"name\":\"bench-sub\"}}\r\nSUB {subject} 1\r\n");
        await subscriber.PingAsync();
        return subscriber;
    }

    /// <summary>A PING round trip: the server has processed everything sent before.</summary>
    public async Task PingAsync()
    {
        _pong = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await WriteAsync("PING\r\n");
        await _pong.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public Task<bool> WaitForCountAsync(long count, TimeSpan timeout) => Eventually.CountReachesAsync(() => Count, count, timeout);

    private async Task WriteAsync(string text)
    {
        await _writeLock.WaitAsync();
        try
        {
            await _stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(text));
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task ReadAsync(PipeReader reader)
    {
        long skip = 0; // payload bytes (and their CRLF) still to pass over
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var read = await reader.ReadAsync(_stop.Token);
                var buffer = read.Buffer;
                while (true)
                {
                    if (skip > 0)
                    {
                        var passed = Math.Min(skip, buffer.Length);
                        buffer = buffer.Slice(passed);
                        skip -= passed;
                        if (skip > 0)
                            break;
                    }
                    if (buffer.PositionOf((byte)'\n') is not { } newline)
                        break;
                    var line = buffer.Slice(0, newline).ToArray();
                    buffer = buffer.Slice(buffer.GetPosition(1, newline));
                    if (line.AsSpan().StartsWith("MSG "u8))
                    {
                        // MSG <subject> <sid> [reply] <size>: the size is the last field.
                        var fields = line.AsSpan().TrimEnd("\r"u8);
                        if (!Utf8Parser.TryParse(fields[(fields.LastIndexOf((byte)' ') + 1)..], out long size, out _))
                            throw new InvalidDataException($"bench-sub: a MSG line without a size: {System.Text.Encoding.ASCII.GetString(fields)}");
                        skip = size + 2;
                        Interlocked.Increment(ref _count);
                    }
                    else if (line.AsSpan().StartsWith("PING"u8))
                    {
                        _ = WriteAsync("PONG\r\n");
                    }
                    else if (line.AsSpan().StartsWith("PONG"u8))
                    {
                        _pong.TrySetResult();
                    }
                }
                reader.AdvanceTo(buffer.Start, buffer.End);
                if (read.IsCompleted)
                    return;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Shutdown(SocketShutdown.Both);
        await _reading;
        await _stream.DisposeAsync();
        _stop.Dispose();
        _writeLock.Dispose();
    }
}

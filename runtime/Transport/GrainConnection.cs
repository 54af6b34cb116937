using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Nats.OrleansRoutes.Runtime.Transport;

/// <summary>
/// One TCP connection between two processes, carrying many calls at once in both directions.
/// A single reader loop parses frames from a pipe; a single writer loop drains an outbox into the
/// pipe and flushes once per batch. Requests that arrive are handed to the request handler
/// (silos); responses complete the pending call with the same correlation id.
/// </summary>
internal sealed partial class GrainConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly Channel<object> _outbox = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<long, PendingCall> _pending = new();
    private readonly Func<RequestFrame, CancellationToken, Task<ResponseFrame>>? _onRequest;
    private readonly int _maxFrameBytes;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _closing = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _loops;
    private long _nextId;
    private string? _closeReason;

    public GrainConnection(Socket socket, string remote, int maxFrameBytes,
        Func<RequestFrame, CancellationToken, Task<ResponseFrame>>? onRequest, ILogger logger)
    {
        _socket = socket;
        _socket.NoDelay = true;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _input = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024));
        _output = PipeWriter.Create(_stream, new StreamPipeWriterOptions(minimumBufferSize: 64 * 1024));
        Remote = remote;
        _maxFrameBytes = maxFrameBytes;
        _onRequest = onRequest;
        _logger = logger;
    }

    public string Remote { get; }

    public bool IsClosed => _closing.IsCancellationRequested;

    /// <summary>Completes when the connection has closed for any reason.</summary>
    public Task Closed => _closed.Task;

    public void Start() => _loops = Task.WhenAll(ReadLoopAsync(), WriteLoopAsync(), SweepLoopAsync());

    /// <summary>Sends a request and waits for its response (or the deadline, or the connection's end).</summary>
    public Task<ResponseFrame> CallAsync(string grainType, string grainKey, string method, byte[] arguments,
        long callerVersion, TimeSpan timeout)
    {
        var id = Interlocked.Increment(ref _nextId);
        var pending = new PendingCall(Environment.TickCount64 + (long)timeout.TotalMilliseconds);
        _pending[id] = pending;
        var frame = new RequestFrame(id, (int)Math.Min(int.MaxValue, timeout.TotalMilliseconds), callerVersion, grainType, grainKey, method, arguments);
        if (IsClosed || !_outbox.Writer.TryWrite(frame))
        {
            _pending.TryRemove(id, out _);
            return Task.FromException<ResponseFrame>(new ConnectionLostException(Remote, _closeReason ?? "closed", sent: false));
        }
        return pending.Completion.Task;
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (true)
            {
                var result = await _input.ReadAsync(_closing.Token);
                var buffer = result.Buffer;
                while (Frames.TryRead(ref buffer, _maxFrameBytes, out var request, out var response))
                {
                    if (request is not null)
                        _ = HandleRequestAsync(request);
                    else if (_pending.TryRemove(response.CorrelationId, out var pending))
                        pending.Completion.TrySetResult(response);
                }
                _input.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    Close("the peer closed the connection");
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Close(e.Message);
        }
    }

    private async Task HandleRequestAsync(RequestFrame request)
    {
        ResponseFrame response;
        try
        {
            response = await _onRequest!(request, _closing.Token);
        }
        catch (Exception e)
        {
            response = new ResponseFrame(request.CorrelationId, CallStatus.Error, 0, System.Text.Encoding.UTF8.GetBytes(e.Message));
        }
        _outbox.Writer.TryWrite(response);
    }

    private async Task WriteLoopAsync()
    {
        var reader = _outbox.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_closing.Token))
            {
                // Drain everything queued, then flush once: one syscall for many calls.
                while (reader.TryRead(out var item))
                {
                    if (item is RequestFrame request)
                        Frames.WriteRequest(_output, request);
                    else
                        Frames.WriteResponse(_output, (ResponseFrame)item);
                }
                var flushed = await _output.FlushAsync(_closing.Token);
                if (flushed.IsCompleted)
                {
                    Close("the peer stopped reading");
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Close(e.Message);
        }
    }

    /// <summary>Fails calls whose deadline passed; one timer per connection instead of one per call.</summary>
    private async Task SweepLoopAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        try
        {
            while (await timer.WaitForNextTickAsync(_closing.Token))
            {
                if (_pending.IsEmpty)
                    continue;
                var now = Environment.TickCount64;
                foreach (var (id, pending) in _pending)
                {
                    if (pending.Deadline <= now && _pending.TryRemove(id, out _))
                        pending.Completion.TrySetResult(new ResponseFrame(id, CallStatus.Timeout, 0, []));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public void Close(string reason)
    {
        if (_closing.IsCancellationRequested)
            return;
        _closeReason = reason;
        LogClosed(_logger, Remote, reason);
        _closing.Cancel();
        _outbox.Writer.TryComplete();
        foreach (var (id, pending) in _pending)
        {
            if (_pending.TryRemove(id, out _))
                pending.Completion.TrySetException(new ConnectionLostException(Remote, reason, sent: true));
        }
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        _closed.TrySetResult();
    }

    public async ValueTask DisposeAsync()
    {
        Close("disposed");
        if (_loops is not null)
        {
            try
            {
                await _loops;
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
            }
        }
        await _input.CompleteAsync();
        await _output.CompleteAsync();
        await _stream.DisposeAsync();
        _closing.Dispose();
    }

    private sealed class PendingCall(long deadline)
    {
        public long Deadline { get; } = deadline;
        public TaskCompletionSource<ResponseFrame> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    [LoggerMessage(EventId = 200, Level = LogLevel.Debug, Message = "Grain connection to {Remote} closed: {Reason}")]
    private static partial void LogClosed(ILogger logger, string remote, string reason);
}

/// <summary>A connection ended while a call was on it.</summary>
public sealed class ConnectionLostException(string remote, string reason, bool sent)
    : Exception(sent
        ? $"connection to silo {remote} was lost ({reason}); the call may or may not have run"
        : $"connection to silo {remote} is closed ({reason}); the call was not sent")
{
    /// <summary>The request may have reached the silo, so retrying could run it twice.</summary>
    public bool MayHaveRun { get; } = sent;
}

using System.Buffers;
using System.IO.Pipelines;
using Nats.OrleansRoutes.Gateway.Hub;
using Nats.OrleansRoutes.Protocol;
using Nats.OrleansRoutes.Protocol.Compression;

namespace Nats.OrleansRoutes.Gateway.Routes;

// Reading: ops are parsed in place from the pipe; a registered connection hands a whole batch to
// the hub under one acquisition of its lock, and the connections it wrote to send once afterwards.
internal sealed partial class RouteConnection
{
    private readonly RouteParser _parser;
    private readonly Batch _batch;
    private RouteConnect? _pendingConnect;

    /// <summary>The longest a reader waits, per batch, for a backed-up member to catch up (nats-server stalls producers 2-5 ms).</summary>
    private static readonly TimeSpan StallMax = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// Backlog above which the members feeding a connection are slowed down: 1 MiB (or three
    /// quarters of the slow-consumer limit if that is lower). A deeper queue in the gateway would
    /// only add latency: the member reads no faster, and TCP pushes back on the publisher's server.
    /// </summary>
    private static long StallAbove(GatewayOptions options) => Math.Min(options.MaxPendingBytes / 4 * 3, 1024 * 1024);

    private enum Outcome
    {
        NeedMore,
        Authorize,
        /// <summary>Compression was negotiated: the bytes after the op just parsed are S2.</summary>
        Compress,
        Close,
    }

    /// <summary>Read size until the member is registered: an unauthenticated peer ties up no big buffer.</summary>
    private const int HandshakeRead = 4 * 1024;

    /// <summary>Read size of a registered member: fewer reads and sends per message under load.</summary>
    private const int RelayRead = 256 * 1024;

    private async Task ReadLoopAsync()
    {
        // Reads go into a pipe by hand (not PipeReader.Create) to size each read by the state.
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0, resumeWriterThreshold: 0, minimumSegmentSize: HandshakeRead,
            useSynchronizationContext: false));
        // Once compression is negotiated, socket bytes land here and are decoded into the pipe.
        var compressed = new Pipe(new PipeOptions(pauseWriterThreshold: 0, resumeWriterThreshold: 0, minimumSegmentSize: HandshakeRead,
            useSynchronizationContext: false));
        var unprocessed = false; // bytes already in the pipe wait (after an authorization pause)
        try
        {
            while (!IsClosed)
            {
                if (!unprocessed)
                {
                    var target = _inflate is null ? pipe.Writer : compressed.Writer;
                    var memory = target.GetMemory(State == RouteState.Registered ? RelayRead : HandshakeRead);
                    var read = await _stream.ReadAsync(memory, _closing.Token);
                    if (read == 0)
                    {
                        Close("the member closed the connection");
                        return;
                    }
                    _peerSpoke = true;
                    target.Advance(read);
                    await target.FlushAsync(_closing.Token);
                    if (_inflate is not null)
                        await InflateAsync(compressed, pipe);
                }
                unprocessed = false;
                if (!pipe.Reader.TryRead(out var result))
                    continue;
                var buffer = result.Buffer;
                Outcome outcome;
                try
                {
                    outcome = Process(ref buffer);
                }
                finally
                {
                    // Before the buffer is let go, even after a fault: targets may hold its bytes by reference.
                    _batch.Send();
                }
                var rest = !buffer.IsEmpty;
                if (outcome == Outcome.Compress)
                {
                    // What followed the member's negotiation INFO is already S2: decode it from here on.
                    foreach (var segment in buffer)
                        compressed.Writer.Write(segment.Span);
                    await compressed.Writer.FlushAsync(_closing.Token);
                    pipe.Reader.AdvanceTo(buffer.End);
                    _inflate = new S2StreamReader();
                    // Kept only while another member's link is S2 too: nobody else could take them.
                    _inflatedChunks = new S2ChunkLog(storedMeansIncompressible: _peerAlwaysCompresses, wanted: () => _server.S2Links > 1);
                    await InflateAsync(compressed, pipe);
                    unprocessed = true;
                    continue;
                }
                // The chunks the reader is past are forgotten (measured before the pipe lets go of the buffer).
                var consumed = _inflate is null ? 0 : _inflate.BytesOut - buffer.Length;
                // Stopped early to authorize: the rest is unexamined, so the next TryRead returns it.
                pipe.Reader.AdvanceTo(buffer.Start, outcome == Outcome.Authorize ? buffer.Start : buffer.End);
                _inflatedChunks?.DropBefore(consumed);
                if (outcome == Outcome.Close)
                    return;
                if (outcome == Outcome.Authorize)
                {
                    await AuthorizeAsync(_pendingConnect!);
                    unprocessed = rest; // what followed CONNECT is already here
                    continue;
                }
                if (_batch.TakeStalled() is { } backedUp && backedUp != this)
                    await StallAsync(backedUp);
            }
        }
        catch (OperationCanceledException) when (IsClosed)
        {
        }
        catch (S2FormatException e)
        {
            _server.Metrics.HandshakeFailures.Add(1, new KeyValuePair<string, object?>("reason", "compression"));
            Close($"malformed compressed input: {e.Message}");
        }
        catch (Exception e)
        {
            // A socket error is a member going away; anything else is a bug of ours, and must be seen.
            if (e is not (IOException or System.Net.Sockets.SocketException or ObjectDisposedException))
                LogReadBug(_logger, _server.Key, Remote, e);
            Close($"read failed: {e.Message}");
        }
        finally
        {
            await pipe.Reader.CompleteAsync();
            await pipe.Writer.CompleteAsync();
            await compressed.Reader.CompleteAsync();
            await compressed.Writer.CompleteAsync();
            _inflatedChunks?.Clear();
        }
    }

    /// <summary>Decodes every complete S2 chunk waiting in <paramref name="compressed"/> into <paramref name="pipe"/>.</summary>
    private async Task InflateAsync(Pipe compressed, Pipe pipe)
    {
        if (!compressed.Reader.TryRead(out var result))
            return;
        var input = result.Buffer;
        var (wireBefore, plainBefore) = (_inflate!.BytesIn, _inflate.BytesOut);
        _inflate.Read(ref input, pipe.Writer, _inflatedChunks);
        Count("in", _inflate.BytesOut - plainBefore, _inflate.BytesIn - wireBefore);
        compressed.Reader.AdvanceTo(input.Start, input.End);
        await pipe.Writer.FlushAsync(_closing.Token);
    }

    /// <summary>
    /// Reads from this member pause while a member it feeds is backed up, so TCP pushes back on the
    /// publisher's server (which stalls its fast producers) instead of the backlog growing until the
    /// slow member must be cut off. Bounded: a member that does not read at all is still cut off.
    /// </summary>
    private async Task StallAsync(RouteConnection backedUp)
    {
        var drained = backedUp.Out.DrainedTo(StallAbove(_server.Options));
        if (drained.IsCompleted)
            return;
        _server.Metrics.Stalls.Add(1);
        await Task.WhenAny(drained, Task.Delay(StallMax, _closing.Token));
    }

    private Outcome Process(ref ReadOnlySequence<byte> buffer)
    {
        while (State != RouteState.Registered)
        {
            if (State is RouteState.Closed or RouteState.Authorizing)
                return State == RouteState.Closed ? Outcome.Close : Outcome.NeedMore;
            if (!TryNextOp(ref buffer, out var op, out var stop))
                return stop;
            var handshake = Handshake(op);
            if (handshake != Outcome.NeedMore)
                return handshake;
        }

        // Fencing, checked per read: after a pause (GC, SIGSTOP, a slow host) nothing is relayed
        // on a lease that may have passed to another gateway meanwhile.
        if (_server.IsFenced)
        {
            Close("the cluster's lease was not renewed in time; this gateway no longer relays it");
            return Outcome.Close;
        }
        if (Kind == RouteKind.UrlRoute)
            return ProcessUrlRoute(ref buffer);
        // Everything in the pipe since the switch was decoded: the buffer starts this far into it.
        _batch.Begin(buffer, _inflatedChunks, _inflate is null ? 0 : _inflate.BytesOut - buffer.Length);
        lock (_server.Hub.Gate)
        {
            try
            {
                while (State == RouteState.Registered)
                {
                    var before = buffer.Length;
                    if (!TryNextOp(ref buffer, out var op, out var stop))
                        return stop;
                    _batch.OpParsed(before, buffer.Length);
                    Dispatch(op);
                }
                return Outcome.Close;
            }
            finally
            {
                _batch.Flush();
            }
        }
    }

    /// <summary>An op of a registered connection (under the hub's lock).</summary>
    private void Dispatch(in RouteOp op)
    {
        switch (op.Kind)
        {
            case RouteOpKind.Msg or RouteOpKind.HMsg or RouteOpKind.LMsg:
                _server.Hub.Relay(this, op, _batch);
                break;
            case RouteOpKind.Sub or RouteOpKind.Unsub or RouteOpKind.LeafSub or RouteOpKind.LeafUnsub:
                _server.Hub.OnInterest(this, op, _batch);
                break;
            case RouteOpKind.Ping:
                WritePong(_batch);
                break;
            case RouteOpKind.Pong:
                OnPong();
                break;
            case RouteOpKind.Info:
                OnAsyncInfo(op.Arguments);
                break;
            case RouteOpKind.Err:
                // Any -ERR makes nats-server drop the route; the member is telling us it will.
                CloseSoon($"the member sent -ERR {System.Text.Encoding.UTF8.GetString(op.Arguments)}");
                break;
            default:
                break; // +OK, CONNECT again, A+/A-: nothing to do on a route
        }
    }

    /// <summary>
    /// A URL route carries no interest or messages for the hub: the member's RS+/LS+ there (it
    /// announces its interest to every route) are dropped without taking the hub's lock.
    /// </summary>
    private Outcome ProcessUrlRoute(ref ReadOnlySequence<byte> buffer)
    {
        while (State == RouteState.Registered)
        {
            if (!TryNextOp(ref buffer, out var op, out var stop))
                return stop;
            switch (op.Kind)
            {
                case RouteOpKind.Ping:
                    WritePong(null);
                    SendNow(); // from this thread: waking the writer loop for five bytes costs more than the send
                    break;
                case RouteOpKind.Pong:
                    OnPong();
                    break;
                case RouteOpKind.Err:
                    CloseSoon($"the member sent -ERR {System.Text.Encoding.UTF8.GetString(op.Arguments)}");
                    break;
            }
        }
        return Outcome.Close;
    }

    /// <summary>The next complete op; false with what to return when the buffer ends mid-op or holds garbage.</summary>
    private bool TryNextOp(ref ReadOnlySequence<byte> buffer, out RouteOp op, out Outcome stop)
    {
        var status = _parser.TryParse(ref buffer, out op);
        stop = status switch
        {
            ParseStatus.NeedMoreData => Outcome.NeedMore,
            ParseStatus.Error => ProtocolError(),
            _ => default,
        };
        return status == ParseStatus.Op;
    }

    private Outcome ProtocolError()
    {
        var error = _parser.LastError;
        var suppressed = 0;
        if (Member is not null || (_socket.RemoteEndPoint as System.Net.IPEndPoint)?.Address is not { } address
            || _server.Limiter.ShouldLog(address, Serving.RefusalKind.ProtocolError, out suppressed))
        {
            var more = Suppressed(suppressed);
            LogProtocolError(_logger, _server.Key, Remote, error.Detail, more);
        }
        _server.Metrics.HandshakeFailures.Add(1, new KeyValuePair<string, object?>("reason", "protocol_error"));
        CloseAfterErr(error.ErrText, $"protocol error: {error.Detail}");
        return Outcome.Close;
    }

    [Microsoft.Extensions.Logging.LoggerMessage(EventId = 2111, Level = Microsoft.Extensions.Logging.LogLevel.Error,
        Message = "{Cluster}: handling what {Remote} sent failed; the connection closes")]
    private static partial void LogReadBug(Microsoft.Extensions.Logging.ILogger logger, string cluster, string remote, Exception exception);

    [Microsoft.Extensions.Logging.LoggerMessage(EventId = 2110, Level = Microsoft.Extensions.Logging.LogLevel.Warning,
        Message = "{Cluster}: protocol error from {Remote}: {Detail}{More}")]
    private static partial void LogProtocolError(Microsoft.Extensions.Logging.ILogger logger, string cluster, string remote, string detail, string more);
}

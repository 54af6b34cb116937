using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Nats.OrleansRoutes.Gateway.Hub;
using Nats.OrleansRoutes.Protocol;

namespace Nats.OrleansRoutes.Gateway.Routes;

// Writing: ops go into Out under its gate. At the end of a batch the reader that wrote them sends
// at once if the socket takes it (no thread hop: this is what keeps request/reply fast); whatever
// the socket does not take, the writer loop sends when it can. A member that stops reading shows
// as Pending growing past the limit: it is disconnected rather than allowed to hold up the members
// writing to it.
internal sealed partial class RouteConnection
{
    private const int Idle = 0;
    private const int InlineSending = 1;
    private const int WriterSending = 2;

    private readonly SemaphoreSlim _sendSignal = new(0);
    private int _sendScheduled;
    private int _sending;
    private List<ArraySegment<byte>>? _unsent;
    private string? _closeAfterSend;
    private long _writeStartedAt;
    private int _slowConsumer;

    /// <summary>Shorter runs are copied: below this a copy costs less than a segment of its own in the send.</summary>
    private const int BorrowAtLeast = 8 * 1024;

    // What this S2 link held back of another member's run at the end of its batch (under the hub's
    // lock, and Out's gate when it takes or lets go of bytes): while it holds, the bytes written end inside an op.
    private readonly S2Carry _carry = new();

    // The run of ops relayed unchanged from one reader's batch: a range of its bytes, not yet copied.
    private Batch? _runBatch;
    private long _runStart;
    private long _runEnd;

    /// <summary>Wakes the writer loop (once per batch, however much was written).</summary>
    public void ScheduleSend()
    {
        if (Interlocked.Exchange(ref _sendScheduled, 1) == 0)
            _sendSignal.Release();
    }

    /// <summary>
    /// Called by a reader after its batch (outside the hub's lock): sends what is buffered now,
    /// without blocking, if nobody else is sending; leaves the rest to the writer loop.
    /// <paramref name="lender"/> is the reader's batch, whose bytes it may send without a copy.
    /// </summary>
    public void SendNow(Batch? lender = null)
    {
        if (_stream is not NetworkStream || Volatile.Read(ref _closeAfterSend) is not null
            || Interlocked.CompareExchange(ref _sending, InlineSending, Idle) != Idle)
        {
            ScheduleSend();
            return;
        }
        try
        {
            var segments = TakeForSend(lender);
            if (segments.Count > 0)
            {
                var sent = _socket.Send(segments, SocketFlags.None, out var error);
                if (error is not (SocketError.Success or SocketError.WouldBlock))
                    throw new SocketException((int)error);
                var done = Out.ReleaseSent(segments, Math.Max(sent, 0), out var uncopied);
                if (uncopied > 0)
                    _server.Metrics.SentUncopied.Add(uncopied);
                if (!done)
                {
                    // The socket is full: the writer loop takes over what is left.
                    _unsent = segments;
                    Volatile.Write(ref _sending, WriterSending);
                    ScheduleSend();
                    return;
                }
            }
            Volatile.Write(ref _sending, Idle);
            // Another reader may have written while this one sent, and found the socket busy.
            if (Out.Pending > 0)
                ScheduleSend();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            Close($"write failed: {e.Message}");
        }
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            while (true)
            {
                await _sendSignal.WaitAsync(_closing.Token);
                Volatile.Write(ref _sendScheduled, 0);
                while (true)
                {
                    var state = Interlocked.CompareExchange(ref _sending, WriterSending, Idle);
                    if (state == InlineSending)
                        break; // a reader is sending; it looks again when it is done
                    await SendBufferedAsync();
                    Volatile.Write(ref _sending, Idle);
                    // Close only once the last -ERR is out: it may have been written after this round took the buffer.
                    if (Volatile.Read(ref _closeAfterSend) is { } reason && Out.Pending == 0)
                    {
                        Close(reason);
                        return;
                    }
                    if (Out.Pending == 0)
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (IsClosed)
        {
        }
        catch (Exception e)
        {
            Close($"write failed: {e.Message}");
        }
    }

    /// <summary>Sends what a reader left over, then everything buffered (the writer loop owns the socket's sending side).</summary>
    private async Task SendBufferedAsync()
    {
        if (_unsent is { } rest)
        {
            _unsent = null;
            await SendAsync(rest);
        }
        var segments = TakeForSend();
        if (segments.Count > 0)
            await SendAsync(segments);
        else
            Out.Release(segments);
    }

    private async Task SendAsync(List<ArraySegment<byte>> segments)
    {
        Volatile.Write(ref _writeStartedAt, Stopwatch.GetTimestamp());
        if (_stream is NetworkStream && segments.Count > 1)
        {
            // Plain TCP: every segment in one gathering send (one system call).
            await _socket.SendAsync(segments, SocketFlags.None).WaitAsync(_closing.Token);
        }
        else
        {
            foreach (var segment in segments)
                await _stream.WriteAsync(segment.AsMemory(), _closing.Token);
        }
        Volatile.Write(ref _writeStartedAt, 0);
        Out.Release(segments);
    }

    /// <summary>Our INFO: the spec's compression mode (or <paramref name="compression"/>, once decided), and on a dialled route the slot we chose.</summary>
    private void WriteInfo(string? compression = null) => WriteInfo(_urlRouteInfo ?? _server.Info(), compression);

    private void WriteInfo(RouteInfo identity, string? compression = null)
    {
        var info = identity with { Compression = compression ?? AnnouncedCompression() };
        if (Solicited is { } solicited)
            info = info with { RoutePoolIndex = solicited.PoolIndex == 0 ? null : solicited.PoolIndex, RouteAccount = solicited.Account };
        var json = RouteJson.Serialize(info);
        lock (Out.Gate)
            RouteWriter.WriteInfo(Out, json);
    }

    /// <summary>The CONNECT of a route we dial: the credentials of its URL, our server id, the cluster's name.</summary>
    private void WriteConnect(SolicitedSlot solicited)
    {
        var json = RouteJson.Serialize(new RouteConnect
        {
            Echo = true,
            Verbose = false,
            Pedantic = false,
            User = solicited.User,
            Password = solicited.Password,
            TlsRequired = solicited.Tls,
            Headers = true,
            Name = _server.Identity.ServerId,
            Cluster = _server.Spec.Name,
            LeafNodeOriginCluster = true,
        });
        lock (Out.Gate)
            RouteWriter.WriteConnect(Out, json);
    }

    /// <summary>An async INFO about another server (under the hub's lock): nats-server dials the route it names.</summary>
    public void WriteGossip(RouteInfo info, Batch batch)
    {
        FlushRun();
        var json = RouteJson.Serialize(info);
        lock (Out.Gate)
            RouteWriter.WriteInfo(Out, json);
        batch.Touch(this);
    }

    private void WritePong(Batch? batch)
    {
        FlushRun();
        lock (Out.Gate)
            RouteWriter.WritePong(Out);
        batch?.Touch(this);
    }

    /// <summary>A keepalive PING, sent from the calling thread when the socket is free: waking the writer loop for it would cost more than the send.</summary>
    private void WritePing()
    {
        WritePingWhereAnOpEnds();
        SendNow();
    }

    /// <summary>
    /// Writes a PING (numbered; a round trip waits for its PONG) where an op ends. Bytes an S2 link
    /// holds back (<see cref="S2Carry"/>) leave those written ending inside an op: they go first,
    /// and their chunk is compressed anew, once per PING. Called without the hub's lock.
    /// </summary>
    private void WritePingWhereAnOpEnds(TaskCompletionSource? roundTrip = null)
    {
        lock (Out.Gate)
        {
            // Held bytes are taken and released under the gate too, so this look is current.
            if (!_carry.Holding)
            {
                Ping(roundTrip);
                return;
            }
        }
        lock (_server.Hub.Gate)
        {
            FlushCarry();
            lock (Out.Gate)
                Ping(roundTrip);
        }
    }

    /// <summary>Under Out's gate: PINGs are numbered in the order they are written, as PONGs answer them.</summary>
    private void Ping(TaskCompletionSource? roundTrip)
    {
        RouteWriter.WritePing(Out);
        var ping = ++_pingsSent;
        if (roundTrip is not null)
        {
            lock (_roundTrips)
                _roundTrips.Add((ping, roundTrip));
        }
    }

    /// <summary>A -ERR that does not close the connection (e.g. 'Invalid Subscription').</summary>
    public void WriteErr(string text, Batch batch)
    {
        FlushRun();
        lock (Out.Gate)
            RouteWriter.WriteErr(Out, text);
        batch.Touch(this);
    }

    /// <summary>
    /// RS+ (weight 0: plain; above 0: queue weight) or RS- (weight below 0) for the account this
    /// connection carries; on a pinned connection without the account field.
    /// </summary>
    public void WriteInterest(AccountInterest accountInterest, string origin, string subject, string queue, int weight, Batch batch)
    {
        var account = Kind == RouteKind.Pinned ? [] : accountInterest.NameUtf8.AsSpan();
        Span<byte> subjectBytes = stackalloc byte[Encoding.UTF8.GetMaxByteCount(subject.Length)];
        subjectBytes = subjectBytes[..Encoding.UTF8.GetBytes(subject, subjectBytes)];
        Span<byte> queueBytes = stackalloc byte[Encoding.UTF8.GetMaxByteCount(queue.Length)];
        queueBytes = queueBytes[..Encoding.UTF8.GetBytes(queue, queueBytes)];
        Span<byte> originBytes = stackalloc byte[Encoding.UTF8.GetMaxByteCount(origin.Length)];
        originBytes = originBytes[..Encoding.UTF8.GetBytes(origin, originBytes)];
        // The hub only passes an origin to a member that announced lnoc (see ClusterHub.Announce).
        var leaf = origin.Length > 0;
        FlushRun();
        lock (Out.Gate)
        {
            if (weight < 0 && leaf)
                RouteWriter.WriteLeafUnsub(Out, Member!.LeafOriginUnsub ? originBytes : [], account, subjectBytes, queueBytes);
            else if (weight < 0)
                RouteWriter.WriteUnsub(Out, account, subjectBytes, queueBytes);
            else if (leaf)
                RouteWriter.WriteLeafSub(Out, originBytes, account, subjectBytes, queueBytes, weight);
            else
                RouteWriter.WriteSub(Out, account, subjectBytes, queueBytes, weight);
        }
        batch.Touch(this);
    }

    /// <summary>
    /// Relays a message to this member (under the hub's lock); headers are dropped for a member
    /// without them. <paramref name="fromKind"/> is the kind of the connection the op came on.
    /// </summary>
    public void WriteMessage(in RouteOp op, RouteKind fromKind, AccountInterest account, ArrayBufferWriter<byte> queues, Batch batch)
    {
        var accountField = Kind == RouteKind.Pinned ? [] : account.NameUtf8.AsSpan();
        var payload = op.Payload;
        var withHeaders = op.HeaderSize > 0 && Member!.Headers;
        // A leaf-origin message keeps its origin for a member that understands it, so the member
        // does not send it back into the leaf cluster it came from; others get RMSG/HMSG.
        var leafOrigin = !op.Origin.IsEmpty && Member!.LeafOrigin && (withHeaders || op.HeaderSize == 0);
        if (FramedAlike(op, fromKind, Kind, queues.WrittenCount, withHeaders, leafOrigin))
        {
            // Unchanged: extend this member's run of the reader's bytes (copied at the batch's end).
            if (ReferenceEquals(_runBatch, batch) && _runEnd == batch.OpStart)
            {
                _runEnd = batch.OpEnd;
            }
            else
            {
                // Not FlushRun with no run: that would write held bytes this run may continue
                // (CopyRun writes them first when it does not).
                if (_runBatch is not null)
                    FlushRun();
                (_runBatch, _runStart, _runEnd) = (batch, batch.OpStart, batch.OpEnd);
            }
            CountOut(account, op.Size, batch);
            return;
        }
        FlushRun();
        lock (Out.Gate)
        {
            if (leafOrigin)
                RouteWriter.WriteLMsg(Out, op.Origin, accountField, op.Subject, op.Reply, queues.WrittenSpan, op.HeaderSize, payload);
            else if (withHeaders)
                RouteWriter.WriteHMsg(Out, accountField, op.Subject, op.Reply, queues.WrittenSpan, op.HeaderSize, payload);
            else
                RouteWriter.WriteMsg(Out, accountField, op.Subject, op.Reply, queues.WrittenSpan, op.HeaderSize > 0 ? payload.Slice(op.HeaderSize) : payload);
        }
        CountOut(account, op.Size, batch);
        CheckPending();
    }

    private void CountOut(AccountInterest account, int size, Batch batch)
    {
        MessagesOut++;
        BytesOut += size;
        var counters = Counters(account.Name);
        counters.MessagesOut++;
        counters.BytesOut += size;
        batch.CountOut(size);
        batch.Touch(this);
    }

    /// <summary>
    /// Copies the run of unchanged ops noted by <see cref="WriteMessage"/> into <see cref="Out"/>
    /// (under the hub's lock): at the end of the reader's batch, or before anything else is written
    /// here, so the member sees every op in the order it was relayed.
    /// </summary>
    /// <param name="atBatchEnd">
    /// The reader sends next, inline, before it lets go of its buffer: a long run on a plain TCP
    /// link is then sent from that buffer, not copied (see <see cref="OutboundBuffer.Borrow"/>); on
    /// an S2 link the end of a run that reaches the batch's end inside a chunk is held back
    /// (<see cref="S2Carry"/>).
    /// </param>
    /// <returns>Whether bytes of the batch's reader are held back for its next batch.</returns>
    public bool FlushRun(bool atBatchEnd = false)
    {
        if (_runBatch is not { } batch)
        {
            FlushCarry();
            return false;
        }
        _runBatch = null;
        var held = false;
        lock (Out.Gate)
        {
            // From one S2 link to another: chunks this link would also write so pass as they came.
            if (batch.Chunks is { } chunks && _compression is { Compresses: true })
            {
                held = chunks.CopyRun(_carry, batch.Source, batch.SourceOffset, _runStart, _runEnd, Out, CompressesChunks(_compression),
                    holdBack: atBatchEnd && _runEnd == batch.OpEnd && !batch.ReaderClosed);
            }
            else if (atBatchEnd && _runEnd - _runStart >= BorrowAtLeast && _compression is null && _stream is NetworkStream && Out.CanBorrow(batch))
            {
                Out.Borrow(batch.Bytes(_runStart, _runEnd), batch); // plain links hold nothing back
            }
            else
            {
                _carry.Flush(Out);
                Out.Write(batch.Bytes(_runStart, _runEnd));
            }
        }
        CheckPending();
        return held;
    }

    /// <summary>Writes what an S2 link held back of another member's run (under the hub's lock): something else goes to this member first.</summary>
    private void FlushCarry()
    {
        if (!_carry.Holding)
            return;
        lock (Out.Gate)
            _carry.Flush(Out);
    }

    /// <summary>
    /// At the end of a batch of the member of <paramref name="log"/> that did not continue what this
    /// link held back of its previous one, or when that member closes: the held bytes go out now.
    /// True when there were any to write.
    /// </summary>
    public bool SettleCarry(S2ChunkLog log)
    {
        if (!ReferenceEquals(_carry.Log, log))
            return false; // nothing, or another member's bytes (a closed connection released its own)
        FlushCarry();
        return true;
    }

    /// <summary>
    /// Over the limit while a send is stuck in the socket: the member is not reading. (Over the
    /// limit with the writer idle is only a burst the writer has not picked up yet.)
    /// </summary>
    private void CheckPending()
    {
        if (Out.Pending > _server.Options.MaxPendingBytes && Volatile.Read(ref _writeStartedAt) != 0)
            SlowConsumer($"{Out.Pending} bytes waiting for the member to read");
    }

    /// <summary>
    /// True when this member gets the op byte for byte as it arrived: the account field present or
    /// absent as here (both pinned, or neither), no queue groups to rewrite, and the same verb
    /// (headers and leaf origin kept). Any form nats-server accepts is forwarded as it came.
    /// </summary>
    private static bool FramedAlike(in RouteOp op, RouteKind fromKind, RouteKind toKind, int queuesChosen, bool withHeaders, bool leafOrigin) =>
        (fromKind == RouteKind.Pinned) == (toKind == RouteKind.Pinned)
        && op.Queues.IsEmpty && queuesChosen == 0
        && op.Kind switch
        {
            RouteOpKind.Msg => true,
            RouteOpKind.HMsg => withHeaders,
            _ => leafOrigin,
        };

    /// <summary>Called by the keepalive tick: a send blocked longer than the write deadline means the member stopped reading.</summary>
    private void CheckWriteDeadline()
    {
        var started = Volatile.Read(ref _writeStartedAt);
        if (started != 0 && Stopwatch.GetElapsedTime(started) is var blocked && blocked > _server.Timers.WriteDeadline)
            SlowConsumer($"a send blocked for {blocked.TotalSeconds:F1} s, {Out.Pending} bytes waiting");
    }

    private void SlowConsumer(string detail)
    {
        if (Interlocked.Exchange(ref _slowConsumer, 1) != 0)
            return;
        _server.Metrics.SlowConsumers.Add(1);
        LogSlowConsumer(_logger, _server.Key, Member?.ServerName ?? "?", Remote, detail);
        // Closed outside the hub's lock: the hub is in the middle of relaying.
        ThreadPool.QueueUserWorkItem(static state => state.connection.Close(state.reason),
            (connection: this, reason: $"slow consumer: {detail}"), preferLocal: false);
    }

    /// <summary>Sends -ERR 'text' (when given), then closes; nothing more is read.</summary>
    private void CloseAfterErr(string? errText, string reason)
    {
        if (errText is null)
        {
            Close(reason);
            return;
        }
        lock (Out.Gate)
            RouteWriter.WriteErr(Out, errText);
        Volatile.Write(ref _closeAfterSend, reason);
        ScheduleSend();
    }

    /// <summary>Closes from the writer loop after what is queued has been sent.</summary>
    public void CloseSoon(string reason)
    {
        Volatile.Write(ref _closeAfterSend, reason);
        ScheduleSend();
    }

    [Microsoft.Extensions.Logging.LoggerMessage(EventId = 2130, Level = Microsoft.Extensions.Logging.LogLevel.Warning,
        Message = "{Cluster}: member {Member} at {Remote} is a slow consumer ({Detail}); disconnecting it")]
    private static partial void LogSlowConsumer(Microsoft.Extensions.Logging.ILogger logger, string cluster, string member, string remote, string detail);
}

using System.Diagnostics;
using System.Text;
using Nats.OrleansRoutes.Gateway.Hub;
using Nats.OrleansRoutes.Protocol;

namespace Nats.OrleansRoutes.Gateway.Routes;

// Writing: ops go into Out under its gate; the writer loop sends everything written so far in one
// go. A member that stops reading shows as Pending growing past the limit: it is disconnected
// rather than allowed to hold up the members writing to it.
internal sealed partial class RouteConnection
{
    private readonly SemaphoreSlim _sendSignal = new(0);
    private int _sendScheduled;
    private string? _closeAfterSend;
    private long _writeStartedAt;
    private int _slowConsumer;

    /// <summary>Wakes the writer loop (once per batch, however much was written).</summary>
    public void ScheduleSend()
    {
        if (Interlocked.Exchange(ref _sendScheduled, 1) == 0)
            _sendSignal.Release();
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            while (true)
            {
                await _sendSignal.WaitAsync(_closing.Token);
                Volatile.Write(ref _sendScheduled, 0);
                List<ArraySegment<byte>> segments;
                lock (Out.Gate)
                    segments = Out.TakeAll();
                Volatile.Write(ref _writeStartedAt, Stopwatch.GetTimestamp());
                foreach (var segment in segments)
                    await _stream.WriteAsync(segment.AsMemory(), _closing.Token);
                Volatile.Write(ref _writeStartedAt, 0);
                Out.Release(segments);
                if (Volatile.Read(ref _closeAfterSend) is { } reason)
                {
                    Close(reason);
                    return;
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

    private void WriteInfo()
    {
        var info = RouteJson.Serialize(_server.Info());
        lock (Out.Gate)
            RouteWriter.WriteInfo(Out, info);
    }

    private void WritePong(Batch? batch)
    {
        lock (Out.Gate)
            RouteWriter.WritePong(Out);
        batch?.Touch(this);
    }

    private void WritePing()
    {
        lock (Out.Gate)
            RouteWriter.WritePing(Out);
        ScheduleSend();
    }

    /// <summary>A -ERR that does not close the connection (e.g. 'Invalid Subscription').</summary>
    public void WriteErr(string text, Batch batch)
    {
        lock (Out.Gate)
            RouteWriter.WriteErr(Out, text);
        batch.Touch(this);
    }

    /// <summary>
    /// RS+ (weight 0: plain; above 0: queue weight) or RS- (weight below 0) for the account this
    /// connection carries; on a pinned connection without the account field.
    /// </summary>
    public void WriteInterest(AccountInterest accountInterest, string subject, string queue, int weight, Batch batch)
    {
        var account = Kind == RouteKind.Pinned ? [] : accountInterest.NameUtf8.AsSpan();
        Span<byte> subjectBytes = stackalloc byte[Encoding.UTF8.GetMaxByteCount(subject.Length)];
        subjectBytes = subjectBytes[..Encoding.UTF8.GetBytes(subject, subjectBytes)];
        Span<byte> queueBytes = stackalloc byte[Encoding.UTF8.GetMaxByteCount(queue.Length)];
        queueBytes = queueBytes[..Encoding.UTF8.GetBytes(queue, queueBytes)];
        lock (Out.Gate)
        {
            if (weight < 0)
                RouteWriter.WriteUnsub(Out, account, subjectBytes, queueBytes);
            else
                RouteWriter.WriteSub(Out, account, subjectBytes, queueBytes, weight);
        }
        batch.Touch(this);
    }

    /// <summary>Relays a message to this member (under the hub's lock); headers are dropped for a member without them.</summary>
    public void WriteMessage(in RouteOp op, AccountInterest account, System.Buffers.ArrayBufferWriter<byte> queues, Batch batch)
    {
        var accountField = Kind == RouteKind.Pinned ? [] : account.NameUtf8.AsSpan();
        var payload = op.Payload;
        var withHeaders = op.HeaderSize > 0 && Member!.Headers;
        lock (Out.Gate)
        {
            if (withHeaders)
                RouteWriter.WriteHMsg(Out, accountField, op.Subject, op.Reply, queues.WrittenSpan, op.HeaderSize, payload);
            else
                RouteWriter.WriteMsg(Out, accountField, op.Subject, op.Reply, queues.WrittenSpan, op.HeaderSize > 0 ? payload.Slice(op.HeaderSize) : payload);
        }
        var size = (int)payload.Length;
        MessagesOut++;
        BytesOut += size;
        var counters = Counters(account.Name);
        counters.MessagesOut++;
        counters.BytesOut += size;
        _server.Metrics.MessagesOut.Add(1);
        _server.Metrics.BytesOut.Add(size);
        batch.Touch(this);
        // Over the limit while a send is stuck in the socket: the member is not reading. (Over the
        // limit with the writer idle is only a burst the writer has not picked up yet.)
        if (Out.Pending > _server.Options.MaxPendingBytes && Volatile.Read(ref _writeStartedAt) != 0)
            SlowConsumer($"{Out.Pending} bytes waiting for the member to read");
    }

    /// <summary>Called by the keepalive tick: a send blocked longer than the write deadline means the member stopped reading.</summary>
    private void CheckWriteDeadline()
    {
        var started = Volatile.Read(ref _writeStartedAt);
        if (started != 0 && Stopwatch.GetElapsedTime(started) is var blocked && blocked > _server.Options.WriteDeadline)
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
    private void CloseSoon(string reason)
    {
        Volatile.Write(ref _closeAfterSend, reason);
        ScheduleSend();
    }

    [Microsoft.Extensions.Logging.LoggerMessage(EventId = 2130, Level = Microsoft.Extensions.Logging.LogLevel.Warning,
        Message = "{Cluster}: member {Member} at {Remote} is a slow consumer ({Detail}); disconnecting it")]
    private static partial void LogSlowConsumer(Microsoft.Extensions.Logging.ILogger logger, string cluster, string member, string remote, string detail);
}

using System.Buffers;
using System.Runtime.ExceptionServices;
using Nats.OrleansRoutes.Gateway.Diagnostics;
using Nats.OrleansRoutes.Gateway.Routes;

namespace Nats.OrleansRoutes.Gateway.Hub;

/// <summary>
/// The connections written to while one reader processed one batch of ops: each is told to send
/// once, at the end of the batch, so many relayed ops leave in one write. Ops relayed unchanged are
/// not copied one by one: each target notes the run of them (a range of <see cref="Source"/>) and
/// copies it in one piece at <see cref="Flush"/> — or, for a long run on a plain link, refers to it
/// and sends it from there at <see cref="Send"/> — before the reader lets go of its buffer.
/// Reused by its reader.
/// </summary>
internal sealed class Batch(long stallAbove, GatewayMetrics metrics)
{
    private readonly List<RouteConnection> _touched = [];

    // Connections that held back bytes of this reader's last batch (S2Carry): settled by the next
    // that parses an op (one that parses none only found the rest of the chunk still on its way).
    private readonly List<RouteConnection> _carriers = [];
    private bool _parsedAny;
    private long _batchLength;

    /// <summary>The bytes the reader is processing; ops relayed unchanged are copied from here (<see cref="Bytes"/>).</summary>
    public ReadOnlySequence<byte> Source { get; private set; }

    /// <summary>Where the op being relayed starts and ends in <see cref="Source"/>.</summary>
    public long OpStart { get; private set; }

    public long OpEnd { get; private set; }

    /// <summary>The compressed chunks <see cref="Source"/> was decoded from, when the member compresses.</summary>
    public S2ChunkLog? Chunks { get; private set; }

    /// <summary>Where <see cref="Source"/> starts among the bytes decoded since compression began.</summary>
    public long SourceOffset { get; private set; }

    /// <summary>The reader starts processing <paramref name="source"/>.</summary>
    public void Begin(in ReadOnlySequence<byte> source, S2ChunkLog? chunks, long sourceOffset)
    {
        Source = source;
        _batchLength = source.Length;
        Chunks = chunks;
        SourceOffset = sourceOffset;
    }

    /// <summary>The reader parsed an op: what is left of <see cref="Source"/> before and after it.</summary>
    public void OpParsed(long remainingBefore, long remainingAfter)
    {
        _parsedAny = true;
        OpStart = _batchLength - remainingBefore;
        OpEnd = _batchLength - remainingAfter;
    }

    /// <summary>Bytes of <see cref="Source"/>, valid until the reader advances past them (after <see cref="Send"/>).</summary>
    public ReadOnlySequence<byte> Bytes(long start, long end) => Source.Slice(start, end - start);
    private RouteConnection? _stalledOn;
    private long _messagesIn;
    private long _bytesIn;
    private long _messagesOut;
    private long _bytesOut;

    /// <summary>A message received; the gateway's counters are updated once per batch, not per message.</summary>
    public void CountIn(int bytes)
    {
        _messagesIn++;
        _bytesIn += bytes;
    }

    public void CountOut(int bytes)
    {
        _messagesOut++;
        _bytesOut += bytes;
    }

    /// <summary>A connection written to in the last batch whose backlog is over the stall threshold, if any.</summary>
    public RouteConnection? TakeStalled()
    {
        var stalled = _stalledOn;
        _stalledOn = null;
        return stalled;
    }

    public void Touch(RouteConnection connection)
    {
        if (!connection.TouchedInBatch)
        {
            connection.TouchedInBatch = true;
            _touched.Add(connection);
        }
    }

    /// <summary>
    /// Under the hub's lock, at the end of the batch: writes out what targets held back of the
    /// reader's last batch and this one did not continue, copies the runs of unchanged ops (a run's
    /// end may be held back or, at send, lent), updates the gateway's counters and notes the most
    /// backed-up connection over the stall threshold. The touched connections are kept for <see cref="Send"/>.
    /// </summary>
    public void Flush()
    {
        if (_messagesIn > 0 || _messagesOut > 0)
        {
            metrics.MessagesIn.Add(_messagesIn);
            metrics.BytesIn.Add(_bytesIn);
            metrics.MessagesOut.Add(_messagesOut);
            metrics.BytesOut.Add(_bytesOut);
            _messagesIn = _bytesIn = _messagesOut = _bytesOut = 0;
        }
        long worst = stallAbove;
        Exception? failure = null;
        if (Chunks is { } log && _parsedAny)
        {
            // Held back last time and not continued by this batch (those it wrote to flushed or continued).
            foreach (var carrier in _carriers)
            {
                try
                {
                    if (!carrier.TouchedInBatch && carrier.SettleCarry(log))
                        Touch(carrier);
                }
                catch (Exception e)
                {
                    failure ??= e;
                }
            }
            _carriers.Clear();
        }
        _parsedAny = false;
        foreach (var connection in _touched)
        {
            connection.TouchedInBatch = false;
            try
            {
                if (connection.FlushRun(atBatchEnd: true))
                    _carriers.Add(connection);
            }
            catch (Exception e)
            {
                // Every other target still flushes: none may keep a run of a buffer about to be let go.
                failure ??= e;
            }
            if (connection.Out.Pending > worst)
            {
                worst = connection.Out.Pending;
                _stalledOn = connection;
            }
        }
        Source = default;
        Chunks = null;
        if (failure is not null)
            ExceptionDispatchInfo.Throw(failure);
    }

    /// <summary>The reader closed: nothing more is held back for it, even by a batch it is still in.</summary>
    public bool ReaderClosed { get; private set; }

    /// <summary>The reader closes (under the hub's lock): what others held back of its bytes goes out with <paramref name="closing"/>.</summary>
    public void SettleCarriers(S2ChunkLog log, Batch closing)
    {
        ReaderClosed = true;
        foreach (var carrier in _carriers)
        {
            if (carrier.SettleCarry(log))
                closing.Touch(carrier);
        }
        _carriers.Clear();
    }

    /// <summary>
    /// After the hub's lock is released, before the reader lets go of <see cref="Source"/>: every
    /// connection written to sends now (or its writer loop does), and copies what it borrowed of
    /// the reader's bytes and did not send.
    /// </summary>
    public void Send()
    {
        Exception? failure = null;
        foreach (var connection in _touched)
        {
            try
            {
                connection.SendNow(this);
            }
            catch (Exception e)
            {
                failure ??= e; // the others still send, and below every one settles
            }
        }
        foreach (var connection in _touched)
            connection.Out.Settle(this);
        _touched.Clear();
        if (failure is not null)
            ExceptionDispatchInfo.Throw(failure);
    }
}

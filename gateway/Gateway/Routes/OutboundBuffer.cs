using System.Buffers;

namespace Nats.OrleansRoutes.Gateway.Routes;

/// <summary>
/// Bytes waiting to go out on one connection, in pooled 64 KiB segments. Producers (the hub,
/// relaying other members' traffic; the connection itself, answering PINGs) write under
/// <see cref="Gate"/>; the connection's writer loop takes everything written so far in one swap and
/// sends it with as few writes as possible. <see cref="Pending"/> is what a slow member has not read.
/// </summary>
internal sealed partial class OutboundBuffer : IBufferWriter<byte>
{
    private const int SegmentSize = 64 * 1024;

    /// <summary>
    /// Segments are reused across connections from a pool of their own: the shared pool keeps only
    /// a few arrays per size, and a relay under load would otherwise allocate (and page-fault in) a
    /// fresh 64 KiB array for most segments.
    /// </summary>
    private static readonly ArrayPool<byte> Segments = ArrayPool<byte>.Create(SegmentSize, maxArraysPerBucket: 1024);

    private List<ArraySegment<byte>> _filled = [];
    private List<ArraySegment<byte>>? _spare;
    private byte[]? _current;
    private int _used;

    // Pending is written minus sent: producers add under the gate without an atomic operation per
    // op (the hot path), and the one sender at a time adds what it sent.
    private long _written;
    private long _sent;
    private TaskCompletionSource? _drained;
    private long _drainedAt;

    /// <summary>Held while writing; keeps writes of one op contiguous and apart from the writer loop's swap.</summary>
    public Lock Gate { get; } = new();

    /// <summary>Bytes written and not yet sent.</summary>
    public long Pending
    {
        get
        {
            // Sent first: a send between the two reads can then only make this too high, never negative.
            var sent = Volatile.Read(ref _sent);
            return Volatile.Read(ref _written) - sent;
        }
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        EnsureRoom(Math.Max(sizeHint, 1));
        return _current.AsSpan(_used);
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        EnsureRoom(Math.Max(sizeHint, 1));
        return _current.AsMemory(_used);
    }

    /// <summary>Appends bytes that may span segments (call under <see cref="Gate"/>).</summary>
    public void Write(in ReadOnlySequence<byte> bytes)
    {
        foreach (var segment in bytes)
            this.Write(segment.Span);
    }

    public void Advance(int count)
    {
        _used += count;
        Volatile.Write(ref _written, _written + count);
    }

    private void EnsureRoom(int size)
    {
        if (_current is not null && !_currentIsS2 && _current.Length - _used >= size)
            return;
        Seal();
        _current = size <= SegmentSize ? Segments.Rent(SegmentSize) : ArrayPool<byte>.Shared.Rent(size);
    }

    /// <summary>Closes the current segment: into the filled list if it holds anything, else back to the pool.</summary>
    private void Seal()
    {
        if (_current is null)
            return;
        if (_used > 0)
        {
            _filled.Add(new ArraySegment<byte>(_current, 0, _used));
            if (_currentIsS2)
                MarkS2(_current);
        }
        else
        {
            Return(_current);
        }
        _current = null;
        _used = 0;
        _currentIsS2 = false;
    }

    /// <summary>
    /// Takes everything written so far (call under <see cref="Gate"/>); return the arrays with
    /// <see cref="Release"/>. Bytes borrowed from a reader are copied unless <paramref name="lender"/>
    /// is that reader, sending inline (it hands the list back with <see cref="ReleaseSent"/>).
    /// </summary>
    public List<ArraySegment<byte>> TakeAll(object? lender = null)
    {
        if (_current is not null && _used > 0)
            Seal();
        HandOverBorrowed(lender);
        var taken = _filled;
        _filled = _spare ?? []; // two lists take turns: the writer hands the sent one back in Release
        _spare = null;
        return taken;
    }

    /// <summary>Gives sent segments back to the pool and lowers <see cref="Pending"/>.</summary>
    public void Release(List<ArraySegment<byte>> sent) => GiveBack(sent, inlineSender: false);

    /// <summary>As <see cref="Release"/>; <paramref name="inlineSender"/>: called by the reader that sent inline, whose list may hold bytes it lent (not ours to return).</summary>
    private void GiveBack(List<ArraySegment<byte>> sent, bool inlineSender)
    {
        long bytes = 0;
        foreach (var segment in sent)
        {
            bytes += segment.Count;
            if (!(inlineSender && IsLent(segment)))
                Return(segment.Array!);
        }
        sent.Clear();
        if (inlineSender)
            _lent.Clear();
        lock (Gate)
            _spare ??= sent;
        LowerPending(bytes);
    }

    private void LowerPending(long sentBytes)
    {
        Interlocked.Add(ref _sent, sentBytes);
        if (Volatile.Read(ref _drained) is not null && Pending <= Volatile.Read(ref _drainedAt))
            SignalDrained();
    }

    /// <summary>Completes when <see cref="Pending"/> is at or below <paramref name="threshold"/> (producers wait on it to slow down).</summary>
    public Task DrainedTo(long threshold)
    {
        lock (Gate)
        {
            if (Pending <= threshold)
                return Task.CompletedTask;
            Volatile.Write(ref _drainedAt, threshold);
            _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _drained.Task;
        }
    }

    private void SignalDrained()
    {
        TaskCompletionSource? drained;
        lock (Gate)
        {
            drained = _drained;
            _drained = null;
        }
        drained?.TrySetResult();
    }

    /// <summary>
    /// After an inline send that may have been partial: returns the segments sent in full, trims the one
    /// sent in part, and lowers <see cref="Pending"/> by <paramref name="sentBytes"/>. True when
    /// everything was sent (the list is then handed back as in <see cref="Release"/>); otherwise
    /// what is left holds nothing borrowed, for the writer loop. <paramref name="sentUncopied"/>:
    /// the bytes sent straight from a reader's buffer.
    /// </summary>
    public bool ReleaseSent(List<ArraySegment<byte>> segments, int sentBytes, out int sentUncopied)
    {
        sentUncopied = _lent.Count == 0 ? 0 : LentBytesSent(segments, sentBytes);
        var total = 0L;
        foreach (var segment in segments)
            total += segment.Count;
        if (sentBytes >= total)
        {
            GiveBack(segments, inlineSender: true);
            return true;
        }
        var left = sentBytes;
        var done = 0;
        while (done < segments.Count && segments[done].Count <= left)
        {
            left -= segments[done].Count;
            if (!IsLent(segments[done]))
                Return(segments[done].Array!);
            done++;
        }
        segments.RemoveRange(0, done);
        if (left > 0)
            segments[0] = segments[0].Slice(left);
        CopyLent(segments);
        LowerPending(sentBytes);
        return false;
    }

    private static void Return(byte[] array)
    {
        if (array.Length == SegmentSize)
            Segments.Return(array);
        else
            ArrayPool<byte>.Shared.Return(array);
    }

    /// <summary>Drops everything (the connection closed).</summary>
    public void Clear()
    {
        SignalDrained();
        lock (Gate)
        {
            Release(TakeAll());
            Seal();
            TakeS2();
        }
    }
}

using System.Buffers;
using System.Runtime.InteropServices;

namespace Nats.OrleansRoutes.Gateway.Routes;

// Sending a reader's bytes without copying them. At the end of a batch a run of ops relayed
// unchanged is appended by reference to the reader's buffer (Borrow); the reader then sends it
// itself, inline, and before it lets go of its buffer copies whatever the socket did not take
// (Settle). Anyone else who takes the buffered bytes meanwhile (the writer loop, a closing
// connection) gets copies, so no reference outlives the reader's buffer.
internal sealed partial class OutboundBuffer
{
    // Borrowed segments still in _filled, all of one lender (under Gate).
    private readonly List<ArraySegment<byte>> _borrowed = [];
    private object? _lender;

    // Borrowed segments the lender took to send (only during its inline send, on its thread).
    private readonly List<ArraySegment<byte>> _lent = [];

    /// <summary>Whether <paramref name="lender"/> may borrow now: no other reader's borrowed bytes wait here (call under <see cref="Gate"/>).</summary>
    public bool CanBorrow(object lender) => _borrowed.Count == 0 || ReferenceEquals(_lender, lender);

    /// <summary>
    /// Appends <paramref name="bytes"/> by reference (call under <see cref="Gate"/>). The lender
    /// must call <see cref="Settle"/> before its buffer changes.
    /// </summary>
    public void Borrow(in ReadOnlySequence<byte> bytes, object lender)
    {
        foreach (var memory in bytes)
        {
            if (!MemoryMarshal.TryGetArray(memory, out var segment))
            {
                this.Write(memory.Span);
                continue;
            }
            Seal();
            _filled.Add(segment);
            _borrowed.Add(segment);
            _lender = lender;
            Volatile.Write(ref _written, _written + segment.Count);
        }
    }

    /// <summary>
    /// Called by the lender before it lets go of its buffer: whatever it borrowed and nobody sent
    /// is copied into segments of this buffer.
    /// </summary>
    public void Settle(object lender)
    {
        // Only the lender sets itself here, and anyone who takes its segments clears it under the
        // gate: another value means nothing of this lender is left.
        if (!ReferenceEquals(Volatile.Read(ref _lender), lender))
            return;
        lock (Gate)
        {
            if (ReferenceEquals(_lender, lender))
                CopyBorrowed(_filled);
        }
    }

    /// <summary>
    /// In <see cref="TakeAll"/>: the lender takes its borrowed segments as they are, to send them
    /// before it settles; anyone else takes copies.
    /// </summary>
    private void HandOverBorrowed(object? taker)
    {
        if (_borrowed.Count == 0)
            return;
        if (taker is not null && ReferenceEquals(taker, _lender))
        {
            _lent.Clear();
            _lent.AddRange(_borrowed);
            _borrowed.Clear();
            _lender = null;
        }
        else
        {
            CopyBorrowed(_filled);
        }
    }

    /// <summary>Replaces the borrowed segments in <paramref name="segments"/> by copies (the lender's buffer is still valid).</summary>
    private void CopyBorrowed(List<ArraySegment<byte>> segments)
    {
        for (var i = 0; i < segments.Count; i++)
        {
            if (Holds(_borrowed, segments[i]))
                segments[i] = Copy(segments[i]);
        }
        _borrowed.Clear();
        Volatile.Write(ref _lender, null);
    }

    /// <summary>After the lender's send: what it did not send is copied for the writer loop, and nothing of its buffer is kept.</summary>
    private void CopyLent(List<ArraySegment<byte>> unsent)
    {
        if (_lent.Count == 0)
            return;
        for (var i = 0; i < unsent.Count; i++)
        {
            if (Holds(_lent, unsent[i]))
                unsent[i] = Copy(unsent[i]);
        }
        _lent.Clear();
    }

    /// <summary>How many of the first <paramref name="sentBytes"/> of <paramref name="segments"/> were lent.</summary>
    private int LentBytesSent(List<ArraySegment<byte>> segments, int sentBytes)
    {
        var lent = 0;
        var at = 0;
        foreach (var segment in segments)
        {
            if (at >= sentBytes)
                break;
            if (IsLent(segment))
                lent += Math.Min(segment.Count, sentBytes - at);
            at += segment.Count;
        }
        return lent;
    }

    /// <summary>Whether <paramref name="segment"/> lies in the reader's buffer, not one of ours (the pool must not get it).</summary>
    private bool IsLent(ArraySegment<byte> segment) => _lent.Count > 0 && Holds(_lent, segment);

    private static bool Holds(List<ArraySegment<byte>> borrowed, ArraySegment<byte> segment)
    {
        // By array: a segment sent in part is trimmed, and no array of the pipe is ever one of ours.
        foreach (var entry in borrowed)
        {
            if (ReferenceEquals(entry.Array, segment.Array))
                return true;
        }
        return false;
    }

    private static ArraySegment<byte> Copy(ArraySegment<byte> segment)
    {
        var owned = segment.Count <= SegmentSize ? Segments.Rent(SegmentSize) : ArrayPool<byte>.Shared.Rent(segment.Count);
        segment.AsSpan().CopyTo(owned);
        return new ArraySegment<byte>(owned, 0, segment.Count);
    }
}

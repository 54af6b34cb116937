using System.Buffers;
using Nats.OrleansRoutes.Protocol.Compression;

namespace Nats.OrleansRoutes.Gateway.Routes;

// The compressed direction of a route: what one send takes becomes one S2 stream (nats-server
// starts a stream per flush too), in segments of the same pool, so sending and accounting work as
// for plain bytes and Pending counts what is on its way to the wire. Chunks another member sent
// compressed can join the stream unchanged (WriteS2), which spares compressing their bytes again.
internal sealed partial class OutboundBuffer
{
    /// <summary>Bytes handed to <see cref="Compress"/> so far, and the bytes of the streams made of them.</summary>
    public long CompressedIn => Interlocked.Read(ref _compressedIn);

    public long CompressedOut => Interlocked.Read(ref _compressedOut);

    private long _compressedIn;
    private long _compressedOut;

    // Segments holding S2 chunks a member sent, passed on as they are (by array), and what they decode to.
    private HashSet<byte[]>? _s2Segments;
    private long _s2Decoded;
    private long _s2Wire;
    private bool _currentIsS2;

    /// <summary>
    /// Appends a whole S2 data chunk (header included) to go out unchanged inside the next stream
    /// (call under <see cref="Gate"/>). Its bytes fill segments of their own, so that
    /// <see cref="Compress"/> can tell them from bytes still to compress.
    /// </summary>
    public void WriteS2(ReadOnlySpan<byte> chunk, int decodedLength)
    {
        AppendS2(chunk);
        CountS2(decodedLength, chunk.Length);
    }

    /// <summary>
    /// Appends a stored S2 chunk rebuilt from its data, <paramref name="first"/> then
    /// <paramref name="rest"/>, and the masked CRC it came with (call under <see cref="Gate"/>): the
    /// same bytes as the chunk a member sent, without a copy of it kept beside its data.
    /// </summary>
    public void WriteStoredS2(uint maskedCrc, ReadOnlySpan<byte> first, in ReadOnlySequence<byte> rest)
    {
        AppendStoredHeader(maskedCrc, first.Length + (int)rest.Length);
        AppendS2(first);
        AppendStoredRest(first.Length, rest);
    }

    /// <summary>
    /// As above, with the data's first part in <paramref name="first"/> (rented from the shared
    /// pool; owned from now on, and sent from as it is).
    /// </summary>
    public void WriteStoredS2(uint maskedCrc, byte[] first, int firstLength, in ReadOnlySequence<byte> rest)
    {
        AppendStoredHeader(maskedCrc, firstLength + (int)rest.Length);
        Seal(); // the header's segment ends here: the array follows as a segment of its own
        _filled.Add(new ArraySegment<byte>(first, 0, firstLength));
        MarkS2(first);
        Volatile.Write(ref _written, _written + firstLength);
        AppendStoredRest(firstLength, rest);
    }

    private const int StoredHeaderLength = 8;

    private void AppendStoredHeader(uint maskedCrc, int length)
    {
        Span<byte> header = stackalloc byte[StoredHeaderLength];
        S2StreamWriter.StoredChunkHeader(header, length, maskedCrc);
        AppendS2(header);
    }

    /// <summary>The stored chunk's data after its first part, and the count of the whole chunk.</summary>
    private void AppendStoredRest(int firstLength, in ReadOnlySequence<byte> rest)
    {
        foreach (var segment in rest)
            AppendS2(segment.Span);
        var length = firstLength + (int)rest.Length;
        CountS2(length, StoredHeaderLength + length);
    }

    /// <summary>Marks a filled segment as S2 chunks to pass as they are.</summary>
    private void MarkS2(byte[] segment) => (_s2Segments ??= new(ReferenceEqualityComparer.Instance)).Add(segment);

    private void AppendS2(ReadOnlySpan<byte> bytes)
    {
        if (_current is not null && !_currentIsS2)
            Seal();
        while (!bytes.IsEmpty)
        {
            if (_current is null || _used == _current.Length)
            {
                Seal();
                _current = Segments.Rent(SegmentSize);
                _currentIsS2 = true;
            }
            var n = Math.Min(bytes.Length, _current.Length - _used);
            bytes[..n].CopyTo(_current.AsSpan(_used));
            Advance(n);
            bytes = bytes[n..];
        }
    }

    private void CountS2(int decoded, int wire)
    {
        _s2Decoded += decoded;
        _s2Wire += wire;
    }

    /// <summary>
    /// The S2 segments among what <see cref="TakeAll"/> just took, what their chunks decode to and
    /// their bytes (call under <see cref="Gate"/>, right after it).
    /// </summary>
    public PassedChunks TakeS2()
    {
        var taken = new PassedChunks(_s2Segments, _s2Decoded, _s2Wire);
        _s2Segments = null;
        _s2Decoded = 0;
        _s2Wire = 0;
        return taken;
    }

    /// <summary>
    /// Replaces segments taken with <see cref="TakeAll"/> by one S2 stream: their bytes compressed,
    /// except the <paramref name="s2"/> segments (from <see cref="TakeS2"/>), which are chunks
    /// already and join the stream as they are. The other originals go back to the pool.
    /// </summary>
    public List<ArraySegment<byte>> Compress(List<ArraySegment<byte>> taken, bool compressChunks, PassedChunks s2)
    {
        if (taken.Count == 0)
            return taken;
        var stream = new SegmentWriter();
        S2StreamWriter.WriteIdentifier(stream);
        var total = 0L;
        var plain = 0L;
        var runStart = 0;
        for (var i = 0; i < taken.Count; i++)
        {
            total += taken[i].Count;
            if (s2.Segments?.Contains(taken[i].Array!) != true)
            {
                plain += taken[i].Count;
                continue;
            }
            CompressRun(runStart, i);
            stream.Append(taken[i]); // the stream owns it now
            runStart = i + 1;
        }
        CompressRun(runStart, taken.Count);
        taken.Clear();
        lock (Gate)
            _spare ??= taken;
        Interlocked.Add(ref _compressedIn, plain + s2.Decoded);
        Interlocked.Add(ref _compressedOut, stream.Written);
        Interlocked.Add(ref _sent, total - stream.Written); // Pending now counts the stream's bytes instead of the taken ones
        return stream.Finish();

        // The plain segments [from, to) become chunks of the stream and go back to the pool.
        void CompressRun(int from, int to)
        {
            if (to == from)
                return;
            S2StreamWriter.WriteChunks(Sequence(taken, from, to - from), stream, compressChunks);
            for (var i = from; i < to; i++)
                Return(taken[i].Array!);
        }
    }

    private static ReadOnlySequence<byte> Sequence(List<ArraySegment<byte>> segments, int start, int count)
    {
        if (count == 1)
            return new ReadOnlySequence<byte>(segments[start]);
        var first = new Link(segments[start], 0);
        var last = first;
        for (var i = start + 1; i < start + count; i++)
            last = last.Append(segments[i]);
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Link : ReadOnlySequenceSegment<byte>
    {
        public Link(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Link Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Link(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }

    /// <summary>Writes into pooled segments, as the buffer itself does.</summary>
    private sealed class SegmentWriter : IBufferWriter<byte>
    {
        private readonly List<ArraySegment<byte>> _segments = [];
        private byte[]? _current;
        private int _used;

        public long Written { get; private set; }

        public Span<byte> GetSpan(int sizeHint = 0)
        {
            Room(Math.Max(sizeHint, 1));
            return _current.AsSpan(_used);
        }

        public Memory<byte> GetMemory(int sizeHint = 0)
        {
            Room(Math.Max(sizeHint, 1));
            return _current.AsMemory(_used);
        }

        public void Advance(int count)
        {
            _used += count;
            Written += count;
        }

        private void Room(int size)
        {
            if (_current is not null && _current.Length - _used >= size)
                return;
            Seal();
            _current = size <= SegmentSize ? Segments.Rent(SegmentSize) : ArrayPool<byte>.Shared.Rent(size);
            _used = 0;
        }

        private void Seal()
        {
            if (_current is null)
                return;
            if (_used > 0)
                _segments.Add(new ArraySegment<byte>(_current, 0, _used));
            else
                Return(_current);
            _current = null;
        }

        /// <summary>Adds a filled segment as it is, after what was written so far.</summary>
        public void Append(ArraySegment<byte> segment)
        {
            Seal();
            _segments.Add(segment);
            Written += segment.Count;
        }

        public List<ArraySegment<byte>> Finish()
        {
            Seal();
            return _segments;
        }
    }
}

/// <summary>Chunks a member sent that a send passes on unchanged: the segments holding them, what they decode to, their bytes.</summary>
internal readonly record struct PassedChunks(HashSet<byte[]>? Segments, long Decoded, long Wire);

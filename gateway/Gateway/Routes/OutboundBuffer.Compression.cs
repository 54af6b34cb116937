using System.Buffers;
using Nats.OrleansRoutes.Protocol.Compression;

namespace Nats.OrleansRoutes.Gateway.Routes;

// The compressed direction of a route: what one send takes becomes one S2 stream (nats-server
// starts a stream per flush too), in segments of the same pool, so sending and accounting work as
// for plain bytes and Pending counts what is on its way to the wire.
internal sealed partial class OutboundBuffer
{
    /// <summary>Bytes handed to <see cref="Compress"/> so far, and the bytes of the streams made of them.</summary>
    public long CompressedIn => Interlocked.Read(ref _compressedIn);

    public long CompressedOut => Interlocked.Read(ref _compressedOut);

    private long _compressedIn;
    private long _compressedOut;

    /// <summary>Replaces segments taken with <see cref="TakeAll"/> by one S2 stream of their bytes (the originals go back to the pool).</summary>
    public List<ArraySegment<byte>> Compress(List<ArraySegment<byte>> taken, bool compressChunks)
    {
        if (taken.Count == 0)
            return taken;
        var stream = new SegmentWriter();
        S2StreamWriter.Write(Sequence(taken), stream, compressChunks);
        var plain = 0L;
        foreach (var segment in taken)
        {
            plain += segment.Count;
            Return(segment.Array!);
        }
        taken.Clear();
        lock (Gate)
            _spare ??= taken;
        Interlocked.Add(ref _compressedIn, plain);
        Interlocked.Add(ref _compressedOut, stream.Written);
        Interlocked.Add(ref _sent, plain - stream.Written); // Pending now counts the stream's bytes instead of the plain ones
        return stream.Finish();
    }

    private static ReadOnlySequence<byte> Sequence(List<ArraySegment<byte>> segments)
    {
        if (segments.Count == 1)
            return new ReadOnlySequence<byte>(segments[0]);
        var first = new Link(segments[0], 0);
        var last = first;
        for (var i = 1; i < segments.Count; i++)
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

        public List<ArraySegment<byte>> Finish()
        {
            Seal();
            return _segments;
        }
    }
}

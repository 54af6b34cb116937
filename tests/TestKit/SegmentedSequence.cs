using System.Buffers;

namespace Nats.OrleansRoutes.TestKit;

/// <summary>Builds a <see cref="ReadOnlySequence{T}"/> whose segments end at the given cut points.</summary>
public static class SegmentedSequence
{
    public static ReadOnlySequence<byte> Create(ReadOnlyMemory<byte> data, IEnumerable<int> cuts)
    {
        var points = cuts.Where(c => c > 0 && c < data.Length).Distinct().Order().ToList();
        if (points.Count == 0)
            return new ReadOnlySequence<byte>(data);
        Segment? first = null;
        Segment? last = null;
        var start = 0;
        foreach (var end in points.Append(data.Length))
        {
            // Each segment gets its own array so that nothing can read across a boundary by accident.
            var copy = data[start..end].ToArray();
            last = last is null ? first = new Segment(copy, 0) : last.Append(copy);
            start = end;
        }
        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}

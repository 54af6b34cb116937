using System.Buffers;
using Nats.OrleansRoutes.Protocol.Compression;

namespace Nats.OrleansRoutes.Gateway.Routes;

/// <summary>
/// The data chunks a member sent, kept as they arrived while their decoded bytes wait in the
/// reader's pipe. A run of ops relayed unchanged that covers a whole chunk gives another member
/// with a compressed link that chunk as it is (<see cref="CopyRun"/>): the hub still decodes every
/// byte to route it, but it does not compress (or try to compress) it again. Offsets count decoded
/// bytes since compression began.
/// </summary>
/// <param name="storedMeansIncompressible">
/// The member always compresses (s2_fast, s2_better, s2_best), so a chunk it stored did not
/// shrink and goes stored to a compressing member too. From an s2_auto or s2_uncompressed member a
/// stored chunk may only mean a short RTT, so only members whose link stores chunks get it as is.
/// </param>
/// <param name="wanted">Whether any other link could take a chunk now; when not, chunks are not kept (no copy).</param>
internal sealed class S2ChunkLog(bool storedMeansIncompressible, Func<bool> wanted) : IS2ChunkObserver
{
    private readonly List<Chunk> _chunks = [];
    private int _head;
    private long _decoded;

    public void DataChunk(in ReadOnlySequence<byte> wire, int decodedLength, bool compressed)
    {
        var start = _decoded;
        _decoded += decodedLength;
        if (!wanted())
            return; // its bytes are relayed decoded, as any chunk not kept
        var length = (int)wire.Length;
        var copy = ArrayPool<byte>.Shared.Rent(length);
        wire.CopyTo(copy);
        _chunks.Add(new Chunk(start, decodedLength, copy, length, compressed));
    }

    /// <summary>Forgets the chunks whose decoded bytes all lie before <paramref name="consumed"/> (the reader moved past them).</summary>
    public void DropBefore(long consumed)
    {
        while (_head < _chunks.Count && _chunks[_head].End <= consumed)
        {
            ArrayPool<byte>.Shared.Return(_chunks[_head].Wire);
            _head++;
        }
        if (_head == _chunks.Count)
        {
            _chunks.Clear();
            _head = 0;
        }
        else if (_head >= 64 && _head * 2 >= _chunks.Count)
        {
            // Reads that keep ending inside a chunk never empty the list: drop the forgotten front.
            _chunks.RemoveRange(0, _head);
            _head = 0;
        }
    }

    /// <summary>
    /// Writes the decoded range [<paramref name="start"/>, <paramref name="end"/>) of
    /// <paramref name="source"/> (which begins at decoded offset <paramref name="sourceOffset"/>)
    /// into <paramref name="output"/> (under its gate), for a member whose link is S2:
    /// each chunk the range covers whole that this link would also write so (compressed when
    /// <paramref name="compresses"/>, stored as above) as the chunk itself, the rest as decoded
    /// bytes for the sender to frame.
    /// </summary>
    public void CopyRun(in ReadOnlySequence<byte> source, long sourceOffset, long start, long end, OutboundBuffer output, bool compresses)
    {
        var at = start;
        for (var i = _head; i < _chunks.Count; i++)
        {
            var chunk = _chunks[i];
            var chunkStart = chunk.Start - sourceOffset;
            if (chunkStart >= end)
                break;
            if (chunkStart < at || chunkStart + chunk.Length > end)
                continue; // only partly in the run
            if (chunk.Compressed ? !compresses : compresses && !storedMeansIncompressible)
                continue;
            CopyDecoded(source, at, chunkStart, output);
            output.WriteS2(chunk.Wire.AsSpan(0, chunk.WireLength), chunk.Length);
            at = chunkStart + chunk.Length;
        }
        CopyDecoded(source, at, end, output);
    }

    /// <summary>Gives every kept chunk back (the connection closed).</summary>
    public void Clear() => DropBefore(long.MaxValue);

    private static void CopyDecoded(in ReadOnlySequence<byte> source, long start, long end, OutboundBuffer output)
    {
        if (end <= start)
            return;
        output.Write(source.Slice(start, end - start));
    }

    private readonly record struct Chunk(long Start, int Length, byte[] Wire, int WireLength, bool Compressed)
    {
        public long End => Start + Length;
    }
}

using System.Buffers;
using System.Buffers.Binary;
using Nats.OrleansRoutes.Protocol.Compression;

namespace Nats.OrleansRoutes.Gateway.Routes;

/// <summary>
/// The data chunks a member sent, kept while their decoded bytes wait in the reader's pipe: a
/// compressed chunk as it arrived, a stored one by its CRC alone (its data are its decoded bytes,
/// so it is rebuilt from those byte for byte and the hub keeps no second copy). A run of ops
/// relayed unchanged that covers a whole chunk gives another member with a compressed link that
/// chunk as it is (<see cref="CopyRun"/>): the hub still decodes every byte to route it, but it
/// does not compress (or try to compress) it again. Offsets count decoded
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
        if (!compressed)
        {
            Span<byte> crc = stackalloc byte[4];
            wire.Slice(4, crc.Length).CopyTo(crc); // after the type and the length
            _chunks.Add(new Chunk(start, decodedLength, null, length, BinaryPrimitives.ReadUInt32LittleEndian(crc)));
            return;
        }
        var copy = ArrayPool<byte>.Shared.Rent(length);
        wire.CopyTo(copy);
        _chunks.Add(new Chunk(start, decodedLength, copy, length, 0));
    }

    /// <summary>Forgets the chunks whose decoded bytes all lie before <paramref name="consumed"/> (the reader moved past them).</summary>
    public void DropBefore(long consumed)
    {
        while (_head < _chunks.Count && _chunks[_head].End <= consumed)
        {
            if (_chunks[_head].Wire is { } wire)
                ArrayPool<byte>.Shared.Return(wire);
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
    /// bytes for the sender to frame. Bytes <paramref name="carry"/> holds right before the range
    /// are its start. With <paramref name="holdBack"/> (the reader's batch ends here), the bytes
    /// from the start of a chunk the range begins but does not finish go into
    /// <paramref name="carry"/> instead; true when they did.
    /// </summary>
    public bool CopyRun(S2Carry carry, in ReadOnlySequence<byte> source, long sourceOffset, long start, long end,
        OutboundBuffer output, bool compresses, bool holdBack)
    {
        if (carry.Holding && !carry.Continues(this, sourceOffset + start))
            carry.Flush(output); // not ours to complete: written first, as decoded bytes
        var range = new DecodedRange(carry.Holding ? carry.Start : sourceOffset + start, sourceOffset + end, carry, source, sourceOffset);
        var holdFrom = holdBack ? StartOfUnfinished(range, compresses) : range.End;
        var at = range.Start;
        for (var i = _head; i < _chunks.Count; i++)
        {
            var chunk = _chunks[i];
            if (chunk.Start >= holdFrom)
                break;
            if (chunk.Start < at || chunk.End > holdFrom || !Passable(chunk, compresses))
                continue;
            range.CopyTo(output, at, chunk.Start);
            if (chunk.Wire is { } wire)
                output.WriteS2(wire.AsSpan(0, chunk.WireLength), chunk.Length);
            else
                range.CopyStoredTo(output, chunk.Start, chunk.End, chunk.StoredCrc);
            at = chunk.End;
        }
        range.CopyTo(output, at, holdFrom);
        if (holdFrom == range.End)
        {
            carry.Release();
            return false;
        }
        var held = ArrayPool<byte>.Shared.Rent((int)(range.End - holdFrom));
        range.CopyTo(held, holdFrom, range.End);
        carry.Hold(this, holdFrom, range.End, held);
        return true;
    }

    /// <summary>The start of the last chunk this link could take that begins inside the range and ends after it; else the range's end.</summary>
    private long StartOfUnfinished(in DecodedRange range, bool compresses)
    {
        for (var i = _chunks.Count - 1; i >= _head; i--)
        {
            var chunk = _chunks[i];
            if (chunk.Start < range.End && chunk.End > range.End)
                return chunk.Start >= range.Start && Passable(chunk, compresses) ? chunk.Start : range.End;
            if (chunk.End <= range.End)
                break;
        }
        return range.End;
    }

    private bool Passable(in Chunk chunk, bool compresses) =>
        chunk.Compressed ? compresses : !compresses || storedMeansIncompressible;

    /// <summary>Gives every kept chunk back (the connection closed).</summary>
    public void Clear() => DropBefore(long.MaxValue);

    /// <summary>Decoded bytes by offset since compression began: held bytes first, then the reader's.</summary>
    private readonly struct DecodedRange(long start, long end, S2Carry carry, in ReadOnlySequence<byte> source, long sourceOffset)
    {
        private readonly ReadOnlySequence<byte> _source = source;

        public long Start { get; } = start;

        public long End { get; } = end;

        public void CopyTo(OutboundBuffer output, long from, long to)
        {
            var read = Split(from, to, out var held);
            if (!held.IsEmpty)
                output.Write(held);
            if (!read.IsEmpty)
                output.Write(read);
        }

        /// <summary>Writes [<paramref name="from"/>, <paramref name="to"/>) as the stored chunk whose data they are.</summary>
        public void CopyStoredTo(OutboundBuffer output, long from, long to, uint maskedCrc)
        {
            var read = Split(from, to, out var held);
            if (!held.IsEmpty && held.Length == carry.End - carry.Start)
                output.WriteStoredS2(maskedCrc, carry.HandOver(), held.Length, read); // no copy: held is the whole array
            else
                output.WriteStoredS2(maskedCrc, held, read);
        }

        public void CopyTo(byte[] target, long from, long to)
        {
            var read = Split(from, to, out var held);
            held.CopyTo(target);
            read.CopyTo(target.AsSpan(held.Length));
        }

        /// <summary>[<paramref name="from"/>, <paramref name="to"/>): the part held back (<paramref name="held"/>), then the part in the reader's buffer (returned).</summary>
        private ReadOnlySequence<byte> Split(long from, long to, out ReadOnlySpan<byte> held)
        {
            held = default;
            if (to <= from)
                return default;
            var heldEnd = carry.Holding ? carry.End : from;
            if (from < heldEnd)
                held = carry.Bytes[(int)(from - carry.Start)..(int)(Math.Min(to, heldEnd) - carry.Start)];
            var readFrom = Math.Max(from, heldEnd);
            return readFrom < to ? _source.Slice(readFrom - sourceOffset, to - readFrom) : default;
        }
    }

    /// <summary>
    /// A chunk at decoded offsets [Start, Start + Length) with WireLength bytes on the wire: a
    /// compressed one as it came in Wire (rented), a stored one (Wire null) by its masked CRC.
    /// </summary>
    private readonly record struct Chunk(long Start, int Length, byte[]? Wire, int WireLength, uint StoredCrc)
    {
        public bool Compressed => Wire is not null;

        public long End => Start + Length;
    }
}

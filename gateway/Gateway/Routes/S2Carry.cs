using System.Buffers;

namespace Nats.OrleansRoutes.Gateway.Routes;

/// <summary>
/// The end of a run held back from a member's S2 link when a reader's batch ended inside a chunk
/// (nats-server cuts a large flush into 1 MiB chunks that end inside an op, and a batch ends where
/// the decoded bytes do). If the reader's next batch continues the run, the chunk is covered whole
/// and is passed on as it came; otherwise these decoded bytes are written before anything else
/// the hub or a PING writes there, and at the latest at the end of the reader's next batch that
/// parses an op, or when it closes. Meanwhile the bytes already written end inside an op (a closing
/// connection's -ERR does not wait for it). One per connection, changed under the hub's lock.
/// </summary>
internal sealed class S2Carry
{
    private byte[]? _bytes;

    /// <summary>The log of the member whose bytes these are; null when nothing is held.</summary>
    public S2ChunkLog? Log { get; private set; }

    /// <summary>Where the held bytes start and end among the bytes that member's link decoded.</summary>
    public long Start { get; private set; }

    public long End { get; private set; }

    public bool Holding => Log is not null;

    public ReadOnlySpan<byte> Bytes => _bytes.AsSpan(0, (int)(End - Start));

    /// <summary>Whether a run of <paramref name="log"/>'s member that starts at <paramref name="start"/> follows on from the held bytes.</summary>
    public bool Continues(S2ChunkLog log, long start) => ReferenceEquals(Log, log) && End == start;

    /// <summary>Holds <paramref name="bytes"/> (rented, of at least end − start bytes; owned from now on).</summary>
    public void Hold(S2ChunkLog log, long start, long end, byte[] bytes)
    {
        Release();
        (Log, Start, End, _bytes) = (log, start, end, bytes);
    }

    /// <summary>Writes the held bytes to be compressed as any others (call under the buffer's gate).</summary>
    public void Flush(OutboundBuffer output)
    {
        if (!Holding)
            return;
        output.Write(Bytes);
        Release();
    }

    /// <summary>
    /// Hands the array of the held bytes to the caller (who gives it back to a pool once sent) and
    /// holds nothing more: a chunk they begin is passed on, and they go out as its first part.
    /// </summary>
    public byte[] HandOver()
    {
        var bytes = _bytes!;
        _bytes = null;
        Release();
        return bytes;
    }

    public void Release()
    {
        if (_bytes is not null)
            ArrayPool<byte>.Shared.Return(_bytes);
        (Log, Start, End, _bytes) = (null, 0, 0, null);
    }
}

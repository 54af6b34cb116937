using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Nats.OrleansRoutes.Runtime.Transport;

internal enum FrameType : byte
{
    Request = 1,
    Response = 2,
}

/// <summary>How a call ended, as the silo reports it.</summary>
public enum CallStatus : byte
{
    Ok = 0,
    /// <summary>The grain method threw; the payload is the error text.</summary>
    Error = 1,
    /// <summary>This silo does not own the grain at its membership version; refresh and retry.</summary>
    Moved = 2,
    /// <summary>The silo cannot serve now (stopping, storage unreachable); the payload says why.</summary>
    Unavailable = 3,
    Timeout = 4,
}

internal sealed record RequestFrame(long CorrelationId, int TimeoutMilliseconds, long CallerVersion,
    string GrainType, string GrainKey, string Method, byte[] Arguments);

internal readonly record struct ResponseFrame(long CorrelationId, CallStatus Status, long MembershipVersion, byte[] Payload);

/// <summary>
/// The grain transport's framing. Every frame is <c>length:u32 type:u8 body</c> (little endian;
/// length counts type and body). A request body is correlation id, timeout, the caller's
/// membership version, grain type, key and method (u16-prefixed UTF-8) and the arguments
/// (u32-prefixed); a response body is correlation id, status, the responder's membership
/// version and the payload (u32-prefixed).
/// </summary>
internal static class Frames
{
    public const int HeaderBytes = 5;

    public static void WriteRequest(IBufferWriter<byte> writer, RequestFrame request)
    {
        var type = Encoding.UTF8.GetByteCount(request.GrainType);
        var key = Encoding.UTF8.GetByteCount(request.GrainKey);
        var method = Encoding.UTF8.GetByteCount(request.Method);
        var body = 8 + 4 + 8 + 2 + type + 2 + key + 2 + method + 4 + request.Arguments.Length;
        var span = writer.GetSpan(HeaderBytes + body);
        BinaryPrimitives.WriteInt32LittleEndian(span, body + 1);
        span[4] = (byte)FrameType.Request;
        var at = HeaderBytes;
        BinaryPrimitives.WriteInt64LittleEndian(span[at..], request.CorrelationId);
        at += 8;
        BinaryPrimitives.WriteInt32LittleEndian(span[at..], request.TimeoutMilliseconds);
        at += 4;
        BinaryPrimitives.WriteInt64LittleEndian(span[at..], request.CallerVersion);
        at += 8;
        at += WriteString(span[at..], request.GrainType, type);
        at += WriteString(span[at..], request.GrainKey, key);
        at += WriteString(span[at..], request.Method, method);
        BinaryPrimitives.WriteInt32LittleEndian(span[at..], request.Arguments.Length);
        at += 4;
        request.Arguments.CopyTo(span[at..]);
        writer.Advance(HeaderBytes + body);
    }

    public static void WriteResponse(IBufferWriter<byte> writer, in ResponseFrame response)
    {
        var body = 8 + 1 + 8 + 4 + response.Payload.Length;
        var span = writer.GetSpan(HeaderBytes + body);
        BinaryPrimitives.WriteInt32LittleEndian(span, body + 1);
        span[4] = (byte)FrameType.Response;
        BinaryPrimitives.WriteInt64LittleEndian(span[5..], response.CorrelationId);
        span[13] = (byte)response.Status;
        BinaryPrimitives.WriteInt64LittleEndian(span[14..], response.MembershipVersion);
        BinaryPrimitives.WriteInt32LittleEndian(span[22..], response.Payload.Length);
        response.Payload.CopyTo(span[26..]);
        writer.Advance(HeaderBytes + body);
    }

    /// <summary>
    /// Reads one frame from the start of <paramref name="buffer"/>. Returns false when more bytes
    /// are needed; throws <see cref="InvalidDataException"/> for a frame that breaks the format.
    /// </summary>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, int maxFrameBytes, out RequestFrame? request, out ResponseFrame response)
    {
        request = null;
        response = default;
        if (buffer.Length < HeaderBytes)
            return false;
        Span<byte> header = stackalloc byte[HeaderBytes];
        buffer.Slice(0, HeaderBytes).CopyTo(header);
        var length = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (length < 1 || length > maxFrameBytes)
            throw new InvalidDataException($"frame of {length} bytes (limit {maxFrameBytes})");
        if (buffer.Length < 4 + length)
            return false;
        var frame = buffer.Slice(4, length);
        var reader = new SequenceReader<byte>(frame);
        reader.TryRead(out var type);
        switch ((FrameType)type)
        {
            case FrameType.Request:
                request = new RequestFrame(ReadInt64(ref reader), ReadInt32(ref reader), ReadInt64(ref reader),
                    ReadString(ref reader), ReadString(ref reader), ReadString(ref reader), ReadBytes(ref reader));
                break;
            case FrameType.Response:
                var id = ReadInt64(ref reader);
                if (!reader.TryRead(out var status) || status > (byte)CallStatus.Timeout)
                    throw new InvalidDataException("bad response status");
                response = new ResponseFrame(id, (CallStatus)status, ReadInt64(ref reader), ReadBytes(ref reader));
                break;
            default:
                throw new InvalidDataException($"unknown frame type {type}");
        }
        if (!reader.End)
            throw new InvalidDataException("frame has trailing bytes");
        buffer = buffer.Slice(4 + length);
        return true;
    }

    private static int WriteString(Span<byte> span, string value, int byteCount)
    {
        if (byteCount > ushort.MaxValue)
            throw new ArgumentException($"\"{value[..32]}…\" is longer than {ushort.MaxValue} bytes");
        BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)byteCount);
        Encoding.UTF8.GetBytes(value, span[2..]);
        return 2 + byteCount;
    }

    private static long ReadInt64(ref SequenceReader<byte> reader) =>
        reader.TryReadLittleEndian(out long value) ? value : throw new InvalidDataException("truncated frame");

    private static int ReadInt32(ref SequenceReader<byte> reader) =>
        reader.TryReadLittleEndian(out int value) ? value : throw new InvalidDataException("truncated frame");

    private static string ReadString(ref SequenceReader<byte> reader)
    {
        if (!reader.TryReadLittleEndian(out short raw))
            throw new InvalidDataException("truncated frame");
        var length = (ushort)raw;
        if (reader.Remaining < length)
            throw new InvalidDataException("truncated frame");
        var value = Encoding.UTF8.GetString(reader.UnreadSequence.Slice(0, length));
        reader.Advance(length);
        return value;
    }

    private static byte[] ReadBytes(ref SequenceReader<byte> reader)
    {
        var length = ReadInt32(ref reader);
        if (length < 0 || reader.Remaining < length)
            throw new InvalidDataException("truncated frame");
        var bytes = reader.UnreadSequence.Slice(0, length).ToArray();
        reader.Advance(length);
        return bytes;
    }
}

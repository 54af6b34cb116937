using System.Net.Sockets;
using System.Text;

namespace Nats.OrleansRoutes.Bench.Relay;

/// <summary>
/// The throughput runs' load generator: one pre-encoded <c>PUB</c> frame written many times per
/// socket write, so the publisher costs almost nothing and the servers and the path between them
/// set the rate. (A general client, NATS.Net included, spends more per message than the path under
/// test.) TCP back-pressure paces it, as nats-server stalls fast producers. Subscribers and
/// request/reply use NATS.Net.
/// </summary>
internal sealed class FramePublisher : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly byte[] _pong = new byte[4096];

    private FramePublisher(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    public static async Task<FramePublisher> ConnectAsync(int port, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync("127.0.0.1", port, cancellationToken);
        var publisher = new FramePublisher(socket);
        await publisher._stream.WriteAsync("CONNECT {\"verbose\":false,\"pedantic\":false,\"name\":\"bench-pub\"}\r\n"u8.ToArray(), cancellationToken);
        await publisher.PingAsync(cancellationToken); // INFO, then our PONG: the server has the CONNECT
        return publisher;
    }

    /// <summary>
    /// A buffer of <paramref name="count"/> PUB frames of <paramref name="size"/> bytes, each with its
    /// own payload from <paramref name="fill"/> (identical payloads would compress across messages,
    /// which real traffic does not).
    /// </summary>
    public static byte[] Frames(string subject, int size, int count, Action<int, Span<byte>> fill)
    {
        var header = Encoding.ASCII.GetBytes($"PUB {subject} {size}\r\n");
        var frame = header.Length + size + 2;
        var buffer = new byte[frame * count];
        for (var i = 0; i < count; i++)
        {
            var at = buffer.AsSpan(i * frame);
            header.CopyTo(at);
            fill(i, at.Slice(header.Length, size));
            at[header.Length + size] = (byte)'\r';
            at[header.Length + size + 1] = (byte)'\n';
        }
        return buffer;
    }

    public ValueTask PublishAsync(byte[] frames, CancellationToken cancellationToken) => _stream.WriteAsync(frames, cancellationToken);

    /// <summary>PING, then read until a PONG: the server has processed everything written before.</summary>
    public async Task PingAsync(CancellationToken cancellationToken)
    {
        await _stream.WriteAsync("PING\r\n"u8.ToArray(), cancellationToken);
        var seen = "";
        while (!seen.Contains("PONG\r\n", StringComparison.Ordinal))
        {
            var read = await _stream.ReadAsync(_pong, cancellationToken);
            if (read == 0)
                throw new IOException("nats-server closed the publisher's connection");
            seen = (seen.Length > 8 ? seen[^8..] : seen) + Encoding.ASCII.GetString(_pong, 0, read);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _socket.Dispose();
    }
}

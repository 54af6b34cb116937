using System.Buffers;
using System.Net.Sockets;
using System.Text;
using Nats.OrleansRoutes.Protocol.Compression;

namespace Nats.OrleansRoutes.Tests.Integration.Compression;

/// <summary>
/// A route peer that solicits a real nats-server with compression, as protocol doc §5.3 describes
/// for the soliciting side: CONNECT and a plain negotiation INFO, then only S2 in both directions
/// (the project's S2 reader and writer); the second INFO, compressed, registers the route.
/// </summary>
internal sealed class CompressedRoutePeer : IAsyncDisposable
{
    private TcpClient _client = new() { NoDelay = true };
    private readonly StringBuilder _decoded = new();
    private readonly S2StreamReader _reader = new();
    private NetworkStream _stream = null!;
    private Task _reading = Task.CompletedTask;

    /// <summary>What the server sent after the switch, decoded.</summary>
    public string Decoded
    {
        get
        {
            lock (_decoded)
                return _decoded.ToString();
        }
    }

    /// <summary>S2 chunk types (0x00 compressed, 0x01 stored) of everything this peer wrote after the switch.</summary>
    public List<byte> SentChunkTypes { get; } = [];

    public static async Task<CompressedRoutePeer> SolicitAsync(string host, int port, string info, string cluster = "C1",
        string? user = null, string? password = null)
    {
        var peer = new CompressedRoutePeer();
        // The route port refused a connection once in CI right after "Server is ready": retry briefly.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await peer._client.ConnectAsync(host, port);
                break;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused && attempt < 50)
            {
                peer._client.Dispose();
                peer._client = new TcpClient { NoDelay = true };
                await Task.Delay(100);
            }
        }
        peer._stream = peer._client.GetStream();
        var plain = await peer.ReadPlainLineAsync();
        Assert.StartsWith("INFO ", plain, StringComparison.Ordinal);
        Assert.Contains("\"compression\":\"s2_fast\"", plain, StringComparison.Ordinal);
        var credentials = user is null ? "" : $"\"user\":\"{user}\",\"pass\":\"{password}\",";
        await peer._stream.WriteAsync(Encoding.ASCII.GetBytes(
            "CONNECT {\"echo\":true,\"verbose\":false,\"pedantic\":false,\"tls_required\":false,\"headers\":true," + credentials
            + $"\"name\":\"NFAKEHUB000000000000000000000000000000000000000000000000\",\"cluster\":\"{cluster}\"}}\r\n" + info));
        // Every later byte in both directions is S2; send nothing until the server's compressed INFO is here.
        peer._reading = peer.ReadCompressedAsync();
        await peer.WaitForAsync("INFO {", TimeSpan.FromSeconds(10));
        await peer.SendAsync(info);
        return peer;
    }

    /// <summary>Writes <paramref name="text"/> as one S2 stream (one flush), compressed where it shrinks.</summary>
    public async Task SendAsync(string text)
    {
        var wire = new ArrayBufferWriter<byte>();
        S2StreamWriter.Write(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(text)), wire, compress: true);
        var bytes = wire.WrittenMemory;
        for (var at = 10; at < bytes.Length;)
        {
            SentChunkTypes.Add(bytes.Span[at]);
            at += 4 + (bytes.Span[at + 1] | (bytes.Span[at + 2] << 8) | (bytes.Span[at + 3] << 16));
        }
        await _stream.WriteAsync(bytes);
    }

    /// <summary>Bytes as they are, for malformed input.</summary>
    public async Task SendRawAsync(byte[] bytes) => await _stream.WriteAsync(bytes);

    /// <summary>Set once the other side closed the connection.</summary>
    public bool Closed => _reading.IsCompleted;

    public async Task WaitForAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Decoded.Contains(text, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"the server did not send \"{text}\"; decoded so far:\n{Decoded}");
            await Task.Delay(20);
        }
    }

    private async Task<string> ReadPlainLineAsync()
    {
        var line = new List<byte>();
        var one = new byte[1];
        while (line.Count == 0 || line[^1] != '\n')
        {
            if (await _stream.ReadAsync(one) == 0)
                throw new IOException("the server closed before its INFO");
            line.Add(one[0]);
        }
        return Encoding.UTF8.GetString(line.ToArray());
    }

    private async Task ReadCompressedAsync()
    {
        var pending = new ArrayBufferWriter<byte>();
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var read = await _stream.ReadAsync(buffer);
                if (read == 0)
                    return;
                pending.Write(buffer.AsSpan(0, read));
                var input = new ReadOnlySequence<byte>(pending.WrittenMemory);
                var output = new ArrayBufferWriter<byte>();
                _reader.Read(ref input, output);
                var rest = input.ToArray();
                pending.ResetWrittenCount();
                pending.Write(rest);
                lock (_decoded)
                    _decoded.Append(Encoding.UTF8.GetString(output.WrittenSpan));
                if (Decoded.EndsWith("PING\r\n", StringComparison.Ordinal))
                    await SendAsync("PONG\r\n");
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _reading;
    }
}

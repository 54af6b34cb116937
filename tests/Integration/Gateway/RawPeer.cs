using System.Net.Sockets;
using System.Text;

namespace Nats.OrleansRoutes.Tests.Integration.Gateway;

/// <summary>
/// A raw TCP connection to a route endpoint, for feeding the gateway what no nats-server sends:
/// it writes bytes as given and reads everything until the gateway closes the connection.
/// </summary>
public sealed class RawPeer : IAsyncDisposable
{
    private readonly TcpClient _client;
    private readonly StringBuilder _received = new();
    private NetworkStream _stream = null!;
    private Task _reading = Task.CompletedTask;
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Received
    {
        get
        {
            lock (_received)
                return _received.ToString();
        }
    }

    public Task Closed => _closed.Task;

    private RawPeer(TcpClient client) => _client = client;

    /// <summary>
    /// Connects (from <paramref name="from"/> if given, another 127.x address: per-source limits of
    /// the gateway then start afresh) and starts reading; does not wait for the INFO.
    /// </summary>
    public static async Task<RawPeer> ConnectAsync(string host, int port, System.Net.IPAddress? from = null)
    {
        var peer = new RawPeer(from is null ? new TcpClient() { NoDelay = true } : new TcpClient(new System.Net.IPEndPoint(from, 0)) { NoDelay = true });
        await peer._client.ConnectAsync(host, port);
        peer._stream = peer._client.GetStream();
        peer._reading = peer.ReadAsync();
        return peer;
    }

    private async Task ReadAsync()
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var n = await _stream.ReadAsync(buffer);
                if (n == 0)
                    break;
                lock (_received)
                    _received.Append(Encoding.UTF8.GetString(buffer, 0, n));
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
        {
        }
        _closed.TrySetResult();
    }

    public async Task SendAsync(string text) => await SendAsync(Encoding.UTF8.GetBytes(text));

    public async Task SendAsync(byte[] bytes)
    {
        try
        {
            await _stream.WriteAsync(bytes);
        }
        catch (IOException)
        {
            // The gateway may close before everything is written; what it answered is in Received.
        }
    }

    /// <summary>Waits until the gateway has sent something containing <paramref name="text"/>.</summary>
    public async Task<bool> SawAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Received.Contains(text, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline)
                return false;
            await Task.Delay(20);
        }
        return true;
    }

    /// <summary>True if the gateway closed the connection within <paramref name="timeout"/>.</summary>
    public async Task<bool> ClosedWithinAsync(TimeSpan timeout) => await Task.WhenAny(Closed, Task.Delay(timeout)) == Closed;

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _reading;
    }
}

using System.Net.Sockets;
using NATS.Client.Core;

namespace Nats.OrleansRoutes.TestKit.Nats;

/// <summary>
/// Dials the client's server once and never again. NATS.Net has no "no reconnect" option: a
/// <c>MaxReconnectRetry</c> of 0 means no limit, and a reconnect tries the URLs the server
/// advertised (the other members of its cluster, <c>connect_urls</c>) before the seed. A test
/// client of a killed member would move to another member and subscribe there again, which is
/// what a real client should do and not what a test about that member's death expects.
/// </summary>
internal sealed class DialOnceSocketFactory : INatsSocketConnectionFactory
{
    private int _dialled;

    public async ValueTask<INatsSocketConnection> ConnectAsync(Uri uri, NatsOpts opts, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _dialled, 1) == 1)
            throw new NatsException($"test client for {uri} does not reconnect");
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(uri.IdnHost, uri.Port, cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new PlainSocketConnection(socket);
    }

    private sealed class PlainSocketConnection(Socket socket) : INatsSocketConnection
    {
        private readonly TaskCompletionSource<Exception> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<Exception> WaitForClosed => _closed.Task;

        public ValueTask<int> SendAsync(ReadOnlyMemory<byte> buffer) => socket.SendAsync(buffer, SocketFlags.None);

        public ValueTask<int> ReceiveAsync(Memory<byte> buffer) => socket.ReceiveAsync(buffer, SocketFlags.None);

        public ValueTask AbortConnectionAsync(CancellationToken cancellationToken)
        {
            socket.Close();
            return ValueTask.CompletedTask;
        }

        public void SignalDisconnected(Exception exception) => _closed.TrySetResult(exception);

        public ValueTask DisposeAsync()
        {
            _closed.TrySetResult(new ObjectDisposedException(nameof(PlainSocketConnection)));
            socket.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}

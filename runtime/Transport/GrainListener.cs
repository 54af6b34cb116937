using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Nats.OrleansRoutes.Runtime.Transport;

/// <summary>Accepts grain connections on a silo and serves their requests with the given handler.</summary>
internal sealed partial class GrainListener(Func<RequestFrame, CancellationToken, Task<ResponseFrame>> onRequest,
    int maxFrameBytes, ILogger logger) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<GrainConnection, byte> _connections = new();
    private readonly CancellationTokenSource _stop = new();
    private Socket? _socket;
    private Task? _accepting;

    /// <summary>The port actually bound (useful when 0 was asked for).</summary>
    public int Port { get; private set; }

    public void Start(string host, int port)
    {
        var address = host is "0.0.0.0" or "*" ? IPAddress.Any : IPAddress.Parse(host);
        _socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _socket.Bind(new IPEndPoint(address, port));
        _socket.Listen(512);
        Port = ((IPEndPoint)_socket.LocalEndPoint!).Port;
        _accepting = AcceptLoopAsync(_stop.Token);
    }

    private async Task AcceptLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await _socket!.AcceptAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException e)
            {
                LogAcceptFailed(logger, e.Message);
                continue;
            }
            var connection = new GrainConnection(accepted, accepted.RemoteEndPoint?.ToString() ?? "?", maxFrameBytes, onRequest, logger);
            _connections[connection] = 0;
            connection.Start();
            _ = connection.Closed.ContinueWith(_ => _connections.TryRemove(connection, out byte _), TaskScheduler.Default);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket?.Dispose();
        if (_accepting is not null)
            await _accepting;
        foreach (var connection in _connections.Keys)
            await connection.DisposeAsync();
        _stop.Dispose();
    }

    [LoggerMessage(EventId = 210, Level = LogLevel.Warning, Message = "Accepting a grain connection failed: {Reason}")]
    private static partial void LogAcceptFailed(ILogger logger, string reason);
}

using System.Collections.Concurrent;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Nats.OrleansRoutes.Runtime.Transport;

/// <summary>One outbound connection per silo endpoint, opened on first use and replaced when it closes.</summary>
internal sealed class ConnectionPool(int maxFrameBytes, ILogger logger) : IAsyncDisposable
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<string, Lazy<Task<GrainConnection>>> _connections = new(StringComparer.Ordinal);

    /// <summary>The open connection to <paramref name="host"/>:<paramref name="port"/>; throws <see cref="SocketException"/> if it cannot connect.</summary>
    public async Task<GrainConnection> GetAsync(string host, int port, CancellationToken cancellationToken)
    {
        var key = $"{host}:{port}";
        while (true)
        {
            var lazy = _connections.GetOrAdd(key, _ => new Lazy<Task<GrainConnection>>(() => ConnectAsync(host, port)));
            GrainConnection connection;
            try
            {
                connection = await lazy.Value.WaitAsync(cancellationToken);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                _connections.TryRemove(new KeyValuePair<string, Lazy<Task<GrainConnection>>>(key, lazy));
                throw;
            }
            if (!connection.IsClosed)
                return connection;
            _connections.TryRemove(new KeyValuePair<string, Lazy<Task<GrainConnection>>>(key, lazy));
        }
    }

    private async Task<GrainConnection> ConnectAsync(string host, int port)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            using var timeout = new CancellationTokenSource(ConnectTimeout);
            await socket.ConnectAsync(host, port, timeout.Token);
        }
        catch (OperationCanceledException)
        {
            socket.Dispose();
            throw new SocketException((int)SocketError.TimedOut);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        var connection = new GrainConnection(socket, $"{host}:{port}", maxFrameBytes, onRequest: null, logger);
        connection.Start();
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var lazy in _connections.Values)
        {
            if (lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully)
                await lazy.Value.Result.DisposeAsync();
        }
        _connections.Clear();
    }
}

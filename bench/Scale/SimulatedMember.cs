using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;
using Nats.OrleansRoutes.Protocol;

namespace Nats.OrleansRoutes.Bench.Scale;

/// <summary>
/// A member server as the gateway sees it, built on the project's route codec: a pool of three
/// connections and a dedicated one for <c>$SYS</c>, each with CONNECT and INFO as a 2.15 server
/// sends them (compression off, with a client URL), PONG to every PING, a PING of its own on each
/// connection as nats-server sends them on routes (about 1 s after connecting, then every 30 s), and
/// a count of the RS+ it is told. Like nats-server it dials the URL routes the gateway offers it by gossip (one per other
/// member), and redials a route that drops, 1 s apart, going round the gateways it knows (the
/// route URLs member-config lists). It holds no subscriptions of its own unless
/// <see cref="SubscribeAsync"/> announces some (they are not announced again after a redial).
/// </summary>
internal sealed class SimulatedMember : IAsyncDisposable
{
    private const int PoolSize = 3;
    private readonly List<Connection> _connections = [];
    private readonly List<Task<Connection>> _urlRoutes = [];
    private readonly RouteConnect _connect;
    private readonly RouteInfo _info;
    private readonly List<string> _gateways = [];
    private readonly CancellationTokenSource _disposed = new();
    private readonly List<Task> _keeping = [];
    private int _port;

    public string ServerName { get; }

    private SimulatedMember(string serverName, RouteConnect connect, RouteInfo info)
    {
        ServerName = serverName;
        _connect = connect;
        _info = info;
    }

    /// <summary>URL routes dialled so far (after the gateway's gossip).</summary>
    public int UrlRoutes
    {
        get
        {
            lock (_urlRoutes)
                return _urlRoutes.Count(t => t.IsCompletedSuccessfully);
        }
    }

    /// <summary>Completes when every connection has had its first PING from the gateway answered... or, sooner, a PONG to ours.</summary>
    public async Task RegisteredAsync()
    {
        List<Connection> connections;
        lock (_connections)
            connections = [.. _connections];
        foreach (var connection in connections)
            await connection.Registered.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>RS+ received on all connections.</summary>
    public long InterestReceived
    {
        get
        {
            lock (_connections)
                return _connections.Sum(c => Interlocked.Read(ref c.Subscribes));
        }
    }

    /// <summary>Route connections dialled again after one dropped, and registered.</summary>
    public int Redials => Volatile.Read(ref _redials);

    private int _redials;

    /// <summary>Another gateway of the cluster's group, dialled in turn when a route drops.</summary>
    public void AddGateway(string host)
    {
        lock (_gateways)
            _gateways.Add(host);
    }

    public static async Task<SimulatedMember> ConnectAsync(string host, int port, string cluster, string serverName, string user, string password)
    {
        var serverId = "N" + Convert.ToHexString(Guid.NewGuid().ToByteArray()) + "SIM";
        var member = new SimulatedMember(serverName, new RouteConnect
        {
            Echo = true, Verbose = false, Pedantic = false, User = user, Password = password, Headers = true,
            Name = serverId, Cluster = cluster,
        }, new RouteInfo
        {
            ServerId = serverId, ServerName = serverName, Version = "2.15.1", Proto = 1, Headers = true,
            Cluster = cluster, Compression = "off", RoutePoolSize = PoolSize, ConnectUrls = [$"{serverName}.clients.invalid:4222"],
        });
        member._gateways.Add(host);
        member._port = port;
        for (var slot = 0; slot <= PoolSize; slot++)
            member._connections.Add(await Connection.OpenRegisteredAsync([host], port, member._connect, member.SlotInfo(slot), member.OnGossip, 10, default));
        for (var slot = 0; slot <= PoolSize; slot++)
        {
            var kept = slot;
            member._keeping.Add(Task.Run(() => member.KeepAsync(kept)));
        }
        return member;
    }

    private RouteInfo SlotInfo(int slot) => slot == PoolSize
        ? _info with { RouteAccount = "$SYS" }
        : _info with { RoutePoolIndex = slot };

    /// <summary>Redials a slot whose connection ended, until the member is disposed (nats-server redials explicit routes for ever).</summary>
    private async Task KeepAsync(int slot)
    {
        try
        {
            while (true)
            {
                Connection current;
                lock (_connections)
                    current = _connections[slot];
                await current.Ended.WaitAsync(_disposed.Token);
                // Its descriptor goes before the redial: this process holds 18 000 routes, and the
                // machine allows 20 000 descriptors a process.
                await current.DisposeAsync();
                string[] gateways;
                lock (_gateways)
                    gateways = [.. _gateways];
                // Bounded: 5 minutes of rounds, then the slot stays down.
                var next = await Connection.OpenRegisteredAsync(gateways, _port, _connect, SlotInfo(slot), OnGossip, 300, _disposed.Token);
                lock (_connections)
                    _connections[slot] = next;
                Interlocked.Increment(ref _redials);
            }
        }
        catch (Exception)
        {
            // Disposed, or 5 minutes of failed attempts: the slot stays down (the bench counts connections).
        }
    }

    /// <summary>An INFO about another server: dial the route it names, with the URL's credentials, as nats-server does.</summary>
    private void OnGossip(RouteInfo gossip)
    {
        if (gossip.Ip is null || !Uri.TryCreate(gossip.Ip, UriKind.Absolute, out var url))
            return;
        var credentials = Uri.UnescapeDataString(url.UserInfo).Split(':', 2);
        var connect = _connect with { User = credentials[0], Password = credentials.Length > 1 ? credentials[1] : null };
        // A URL route carries no pool: the INFO without pool fields, as a 2.15 server answers a peer without one.
        var info = _info with { RoutePoolSize = null };
        lock (_urlRoutes)
            _urlRoutes.Add(OpenUrlRouteAsync(url.Host, url.Port, connect, info));
    }

    /// <summary>A URL route, disposed when the gateway closes it (nats-server does not redial one whose token is spent).</summary>
    private async Task<Connection> OpenUrlRouteAsync(string host, int port, RouteConnect connect, RouteInfo info)
    {
        var connection = await Connection.OpenRegisteredAsync([host], port, connect, info, static _ => { }, 10, _disposed.Token);
        _ = connection.Ended.ContinueWith(async _ => await connection.DisposeAsync(), TaskScheduler.Default);
        return connection;
    }

    /// <summary>Announces <paramref name="subjects"/> in account $G, on the pool connection nats-server uses for it.</summary>
    public Task SubscribeAsync(IEnumerable<string> subjects)
    {
        var writer = new ArrayBufferWriter<byte>();
        foreach (var subject in subjects)
            RouteWriter.WriteSub(writer, "$G"u8, Encoding.ASCII.GetBytes(subject));
        Connection connection;
        lock (_connections)
            connection = _connections[PoolIndex.Of("$G", PoolSize)];
        return connection.SendAsync(writer.WrittenMemory);
    }

    public async ValueTask DisposeAsync()
    {
        await _disposed.CancelAsync();
        await Task.WhenAll(_keeping);
        List<Connection> connections;
        lock (_connections)
            connections = [.. _connections];
        foreach (var connection in connections)
            await connection.DisposeAsync();
        List<Task<Connection>> urlRoutes;
        lock (_urlRoutes)
            urlRoutes = [.. _urlRoutes];
        foreach (var dial in urlRoutes)
        {
            if (dial.IsCompletedSuccessfully)
                await dial.Result.DisposeAsync();
        }
    }

    private sealed class Connection : IAsyncDisposable
    {
        private static readonly TimeSpan FirstPing = TimeSpan.FromSeconds(1);

        /// <summary>nats-server's default for routes (its ping interval, at most 30 s on a route), as the gateway's.</summary>
        private static readonly TimeSpan PingInterval = TimeSpan.FromSeconds(30);

        private readonly Socket _socket = new(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        private readonly SemaphoreSlim _sending = new(1, 1);
        private readonly CancellationTokenSource _stop = new();
        private NetworkStream _stream = null!;
        private Task _reading = Task.CompletedTask;
        private Task _pinging = Task.CompletedTask;
        private Action<RouteInfo> _onGossip = static _ => { };
        private string? _remoteId; // the gateway's, from its first INFO: an INFO naming another server is gossip
        public long Subscribes;

        public TaskCompletionSource Registered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completes when the connection's read loop ends (the gateway closed it, or it was disposed).</summary>
        public Task Ended => _reading;

        /// <summary>
        /// Dials until a gateway registers the connection: each round tries every one of
        /// <paramref name="hosts"/> (only the cluster's holder listens on its port), rounds 1 s
        /// apart, as nats-server redials each route URL it is given about once a second.
        /// </summary>
        public static async Task<Connection> OpenRegisteredAsync(string[] hosts, int port, RouteConnect connect, RouteInfo info,
            Action<RouteInfo> onGossip, int rounds, CancellationToken cancellationToken)
        {
            for (var round = 1; ; round++)
            {
                for (var i = 0; i < hosts.Length; i++)
                {
                    Connection? connection = null;
                    try
                    {
                        connection = await OpenAsync(hosts[i], port, connect, info, onGossip);
                        await connection.Registered.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
                        return connection;
                    }
                    catch (Exception)
                    {
                        if (connection is not null)
                            await connection.DisposeAsync();
                        if ((round == rounds && i == hosts.Length - 1) || cancellationToken.IsCancellationRequested)
                            throw;
                    }
                }
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }

        private static async Task<Connection> OpenAsync(string host, int port, RouteConnect connect, RouteInfo info, Action<RouteInfo> onGossip)
        {
            var connection = new Connection { _onGossip = onGossip };
            try
            {
                await connection._socket.ConnectAsync(host, port);
            }
            catch
            {
                connection._socket.Dispose(); // a refused dial: the failover loop makes thousands
                throw;
            }
            connection._stream = new NetworkStream(connection._socket, ownsSocket: false);
            var hello = new ArrayBufferWriter<byte>();
            RouteWriter.WriteConnect(hello, RouteJson.Serialize(connect));
            RouteWriter.WriteInfo(hello, RouteJson.Serialize(info));
            // Answered once the gateway has registered the connection (it reads ops in order).
            RouteWriter.WritePing(hello);
            await connection.SendAsync(hello.WrittenMemory);
            connection._reading = connection.ReadAsync(connection._stop.Token);
            connection._pinging = connection.PingAsync(connection._stop.Token);
            return connection;
        }

        /// <summary>nats-server's route keepalive: a first PING after 1 s plus up to a fifth, then one every interval.</summary>
        private async Task PingAsync(CancellationToken cancellationToken)
        {
            try
            {
                var first = FirstPing + TimeSpan.FromMilliseconds(Random.Shared.Next((int)FirstPing.TotalMilliseconds / 5));
                await Task.Delay(first, cancellationToken);
                while (!_reading.IsCompleted)
                {
                    await SendAsync("PING\r\n"u8.ToArray());
                    await Task.Delay(PingInterval, cancellationToken);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
            {
            }
        }

        public async Task SendAsync(ReadOnlyMemory<byte> bytes)
        {
            await _sending.WaitAsync();
            try
            {
                await _stream.WriteAsync(bytes);
            }
            finally
            {
                _sending.Release();
            }
        }

        private async Task ReadAsync(CancellationToken cancellationToken)
        {
            var reader = PipeReader.Create(_stream);
            var parser = new RouteParser();
            try
            {
                while (true)
                {
                    var read = await reader.ReadAsync(cancellationToken);
                    var buffer = read.Buffer;
                    var pongs = 0;
                    while (parser.TryParse(ref buffer, out var op) == ParseStatus.Op)
                    {
                        if (op.Kind == RouteOpKind.Ping)
                            pongs++;
                        else if (op.Kind == RouteOpKind.Pong)
                            Registered.TrySetResult();
                        else if (op.Kind == RouteOpKind.Err)
                            Registered.TrySetException(new IOException("the gateway refused the route"));
                        else if (op.Kind == RouteOpKind.Sub)
                            Subscribes++;
                        else if (op.Kind == RouteOpKind.Info && RouteJson.TryParseInfo(op.Arguments, out var info, out _))
                        {
                            _remoteId ??= info.ServerId;
                            if (info.ServerId != _remoteId && info.Ip is not null)
                                _onGossip(info);
                        }
                    }
                    reader.AdvanceTo(buffer.Start, buffer.End);
                    for (var i = 0; i < pongs; i++)
                        await SendAsync("PONG\r\n"u8.ToArray());
                    if (read.IsCompleted)
                    {
                        Registered.TrySetException(new IOException("the gateway closed the route"));
                        return;
                    }
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or SocketException)
            {
                // A reset (the gateway closed with our ops unread) ends the route as a close does:
                // nats-server redials about a second later, it does not wait for a PONG.
                Registered.TrySetException(new IOException("the route ended", e));
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _socket.Dispose();
            await _reading;
            await _pinging;
        }
    }
}

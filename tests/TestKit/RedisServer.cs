using System.Net.Sockets;

namespace Nats.OrleansRoutes.TestKit;

/// <summary>
/// A real redis-server on 127.0.0.1 and a free port, with its data in a temporary folder
/// (optionally with AOF, fsync on every write). It can be stopped and started again on the same
/// port and data, to test outages.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("redis-");
    private readonly bool _appendOnly;
    private RunningProcess? _process;

    private RedisServer(bool appendOnly, string? password)
    {
        _appendOnly = appendOnly;
        Password = password;
        Port = FreePorts.Next();
    }

    public int Port { get; }

    /// <summary>The <c>requirepass</c> of the default user, or null for none.</summary>
    public string? Password { get; }

    public string Endpoint => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync(bool appendOnly = false, string? password = null)
    {
        var server = new RedisServer(appendOnly, password);
        await server.StartAgainAsync();
        return server;
    }

    public async Task StartAgainAsync()
    {
        var args = new List<string>
        {
            "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
            "--dir", _dir.FullName, "--save", "", "--protected-mode", "no", "--loglevel", "warning",
        };
        if (_appendOnly)
            args.AddRange(["--appendonly", "yes", "--appendfsync", "always"]);
        if (Password is not null)
            args.AddRange(["--requirepass", Password]);
        _process = RunningProcess.Start($"redis-server:{Port}", SystemBinaries.RedisServer, args, _dir.FullName);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }
        throw new TimeoutException($"redis-server did not listen on {Endpoint}:\n{_process.Output}");
    }

    /// <summary>Stops the server (SIGTERM; with AOF everything acknowledged is on disk).</summary>
    public async Task StopAsync()
    {
        if (_process is not null)
            await _process.StopAsync(TimeSpan.FromSeconds(5));
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
            await _process.DisposeAsync();
        try
        {
            _dir.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

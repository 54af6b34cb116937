using System.Globalization;

namespace Nats.OrleansRoutes.TestKit.Nats;

/// <summary>
/// A real nats-server of one version with a configuration file a test wrote. Client port and
/// configuration stay the same across <see cref="KillAsync"/> and <see cref="StartAgainAsync"/>.
/// </summary>
public sealed class NatsServerProcess : IAsyncDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("nats-server-");
    private RunningProcess? _process;

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private NatsServerProcess(string version, string name, int clientPort, int monitorPort)
    {
        Version = version;
        Name = name;
        ClientPort = clientPort;
        MonitorPort = monitorPort;
    }

    public string Version { get; }

    public string Name { get; }

    public int ClientPort { get; }

    /// <summary>The server's own HTTP monitoring port (/routez, /subsz, …).</summary>
    public int MonitorPort { get; }

    public string ConfigFile => Path.Combine(_dir.FullName, Name + ".conf");

    /// <summary>Everything the server logged so far (this run).</summary>
    public string Output => _process?.Output ?? "";

    public int ProcessId => _process?.Id ?? 0;

    /// <summary>
    /// Starts nats-server <paramref name="version"/> with <paramref name="configuration"/> (which
    /// must not set <c>listen</c> or <c>http</c>: those ports are chosen here) and waits until it is ready.
    /// </summary>
    public static async Task<NatsServerProcess> StartAsync(string version, string name, string configuration)
    {
        var server = new NatsServerProcess(version, name, FreePorts.Next(), FreePorts.Next());
        var text = $"listen: 127.0.0.1:{server.ClientPort.ToString(CultureInfo.InvariantCulture)}\n"
            + $"http: 127.0.0.1:{server.MonitorPort.ToString(CultureInfo.InvariantCulture)}\n{configuration}";
        await File.WriteAllTextAsync(server.ConfigFile, text);
        await server.StartAgainAsync();
        return server;
    }

    public async Task StartAgainAsync()
    {
        _process = RunningProcess.Start($"nats-server {Version} {Name}", NatsServerBinaries.PathOf(Version), ["-c", ConfigFile],
            _dir.FullName);
        await _process.WaitForLineAsync("Server is ready", TimeSpan.FromSeconds(20));
    }

    public Task<NatsClient> ConnectAsync(string? user = null, string? password = null, string? name = null) =>
        NatsClient.ConnectAsync("127.0.0.1", ClientPort, user, password, name ?? $"{Name}-client");

    /// <summary>GET of one of the server's monitoring endpoints, e.g. <c>routez?subs=1</c>.</summary>
    public async Task<System.Text.Json.JsonDocument> MonitorAsync(string pathAndQuery) =>
        System.Text.Json.JsonDocument.Parse(await Http.GetStringAsync($"http://127.0.0.1:{MonitorPort.ToString(CultureInfo.InvariantCulture)}/{pathAndQuery}"));

    /// <summary>The subjects of the interest the server has learned over its routes (its /routez?subs=1).</summary>
    public async Task<List<string>> RouteInterestAsync()
    {
        using var routez = await MonitorAsync("routez?subs=1");
        var subjects = new List<string>();
        if (routez.RootElement.TryGetProperty("routes", out var routes) && routes.ValueKind == System.Text.Json.JsonValueKind.Array)
        {
            foreach (var route in routes.EnumerateArray())
            {
                if (route.TryGetProperty("subscriptions_list", out var list) && list.ValueKind == System.Text.Json.JsonValueKind.Array)
                    subjects.AddRange(list.EnumerateArray().Select(s => s.GetString()!));
            }
        }
        return subjects;
    }

    /// <summary>kill -9.</summary>
    public async Task KillAsync()
    {
        if (_process is null)
            return;
        _process.Kill();
        await _process.DisposeAsync();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
            await _process.DisposeAsync();
        _process = null; // disposing twice (a test stops a member its deployment also owns) is harmless
        try
        {
            _dir.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

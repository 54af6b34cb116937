using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Nats.OrleansRoutes.Client;
using Nats.OrleansRoutes.Grains;

namespace Nats.OrleansRoutes.Cli.Commands;

/// <summary>
/// The demo of `natsroutes dev --demo`: a cluster demo/local, and three nats-servers (2.9.10,
/// 2.10.27, 2.15.1) whose only route goes to the gateway. Stopped (by process id) on dispose.
/// </summary>
internal sealed class DevDemo : IAsyncDisposable
{
    private static readonly string[] Versions = ["2.9.10", "2.10.27", "2.15.1"];
    private readonly List<Process> _servers = [];
    private readonly string _dir = Directory.CreateTempSubdirectory("natsroutes-demo-").FullName;

    public static async Task<DevDemo> StartAsync(string silo, string prefix, CancellationToken cancellation)
    {
        var demo = new DevDemo();
        try
        {
            await demo.RunAsync(silo, prefix, cancellation);
            return demo;
        }
        catch
        {
            await demo.DisposeAsync();
            throw;
        }
    }

    private async Task RunAsync(string silo, string prefix, CancellationToken cancellation)
    {
        var root = Environment.GetEnvironmentVariable("NATSROUTES_ROOT") ?? Directory.GetCurrentDirectory();
        if (Versions.Any(v => !File.Exists(Binary(root, v))))
        {
            Console.WriteLine("natsroutes dev --demo: installing nats-server 2.9.10, 2.10.27 and 2.15.1 (build/install-peers.sh)…");
            using var install = Process.Start(new ProcessStartInfo("bash", [Path.Combine(root, "build", "install-peers.sh")]) { UseShellExecute = false })!;
            await install.WaitForExitAsync(cancellation);
            if (install.ExitCode != 0)
                throw new UsageException("the demo needs nats-server binaries and the installer failed; run bash build/install-peers.sh as root");
        }

        await using var client = await NatsRoutesClient.ConnectAsync(new NatsRoutesClientOptions { Silo = silo, KeyPrefix = prefix }, cancellation);
        var cluster = new ClusterRef("demo", "local");
        var imported = await client.ImportClusterAsync(cluster, "cluster {\n  name: demo\n  listen: 127.0.0.1:-1\n}\n", "demo.conf");
        var password = imported.GeneratedPassword ?? await client.RotateCredentialsAsync(cluster, TimeSpan.Zero);

        Console.WriteLine($"  Demo cluster {cluster} (cluster name \"demo\"); its members route only to the gateway:");
        foreach (var version in Versions)
        {
            var clientPort = FreePort();
            var name = $"demo-{version}";
            var config = await client.GetMemberConfigAsync(cluster, name, $"127.0.0.1:{FreePort()}", password);
            var file = Path.Combine(_dir, $"{name}.conf");
            await File.WriteAllTextAsync(file, $"listen: 127.0.0.1:{clientPort}\n{config}", cancellation);
            var server = Process.Start(new ProcessStartInfo(Binary(root, version), ["-c", file])
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            server.OutputDataReceived += (_, _) => { };
            server.ErrorDataReceived += (_, _) => { };
            server.BeginOutputReadLine();
            server.BeginErrorReadLine();
            _servers.Add(server);
            Console.WriteLine($"    nats-server {version,-7}  clients: nats://127.0.0.1:{clientPort}   (pid {server.Id}, config {file})");
        }
        var first = _servers.Count > 0 ? "the first" : "one";
        Console.WriteLine($"  Subscribe on one member and publish on another with any NATS client, e.g. the nats CLI:");
        Console.WriteLine($"    nats sub -s <{first} URL above> 'demo.>'        nats pub -s <another URL> demo.hello hi");
    }

    private static string Binary(string root, string version) => Path.Combine(root, "tools", "nats-server", version, "nats-server");

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
        {
            if (!server.HasExited)
                server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            server.Dispose();
        }
        Directory.Delete(_dir, recursive: true);
    }
}

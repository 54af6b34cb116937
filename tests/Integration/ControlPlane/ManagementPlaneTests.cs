using System.Net;
using System.Security.Cryptography;
using Nats.OrleansRoutes.Client;
using Nats.OrleansRoutes.Grains;
using Nats.OrleansRoutes.TestKit;

namespace Nats.OrleansRoutes.Tests.Integration.ControlPlane;

/// <summary>What guards and shows the management plane: mutual TLS and the Orleans Dashboard, on real silo processes.</summary>
public sealed class ManagementPlaneTests
{
    private const string Conf = "cluster {\n  name: C1\n  authorization { user: r, password: \"s3cret-route\" }\n}\n";
    private static readonly ClusterRef Cluster = new("acme", "tls");
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task Only_a_certificate_from_the_deployment_ca_can_call_grains()
    {
        var directory = Directory.CreateTempSubdirectory("natsroutes-mtls-").FullName;
        using var deploymentCa = new TestCertificates(Path.Combine(directory, "deployment"), "deployment CA");
        using var otherCa = new TestCertificates(Path.Combine(directory, "other"), "other CA");
        var silo = deploymentCa.Issue("silo", "CN=silo", [IPAddress.Loopback]);
        var client = deploymentCa.Issue("client", "CN=operator", [IPAddress.Loopback]);
        var stranger = otherCa.Issue("stranger", "CN=stranger", [IPAddress.Loopback]);
        await using var redis = await RedisServer.StartAsync();
        var prefix = "tls" + Guid.NewGuid().ToString("N")[..8];
        await using var process = NatsRoutesProcess.Start("silo-tls",
            ["silo", "--redis", redis.Endpoint, "--prefix", prefix, "--port", "0", "--gateway-port", "0", "--health-port", "0",
             "--mtls-cert", silo.CertFile, "--mtls-key", silo.KeyFile, "--mtls-ca", deploymentCa.CaFile],
            new Dictionary<string, string> { ["NATSROUTES_SECRETS_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) });
        await process.WaitForLineAsync(" ready: grain calls on ", TimeSpan.FromSeconds(60));

        NatsRoutesClientOptions Options(TransportTls? tls) =>
            new() { Redis = new RedisSettings(redis.Endpoint), KeyPrefix = prefix, Tls = tls, CallTimeout = TimeSpan.FromSeconds(5) };

        await using (var trusted = await NatsRoutesClient.ConnectAsync(Options(new TransportTls(client.CertFile, client.KeyFile, deploymentCa.CaFile))))
            Assert.True((await trusted.ImportClusterAsync(Cluster, Conf, "tls.conf")).Created);

        foreach (var tls in new[] { new TransportTls(stranger.CertFile, stranger.KeyFile, deploymentCa.CaFile), null })
        {
            var refused = await Assert.ThrowsAnyAsync<Exception>(async () =>
            {
                await using var untrusted = await NatsRoutesClient.ConnectAsync(Options(tls));
                await untrusted.GetClusterAsync(Cluster);
            });
            Assert.IsNotType<ClusterRequestException>(refused);
        }

        // The CLI takes the same files; a stranger's certificate gets "cannot reach" (exit 2), not an answer.
        string[] common = ["cluster", "show", Cluster.Key, "--redis", redis.Endpoint, "--prefix", prefix, "--mtls-ca", deploymentCa.CaFile];
        var shown = await NatsRoutesCli.RunAsync([.. common, "--mtls-cert", client.CertFile, "--mtls-key", client.KeyFile]);
        Assert.True(shown.ExitCode == 0, shown.StandardError);
        Assert.Contains("acme/tls", shown.StandardOutput, StringComparison.Ordinal);
        var denied = await NatsRoutesCli.RunAsync([.. common, "--mtls-cert", stranger.CertFile, "--mtls-key", stranger.KeyFile]);
        Assert.Equal(2, denied.ExitCode);
        Assert.Contains("cannot reach the service", denied.StandardError, StringComparison.Ordinal);
        var half = await NatsRoutesCli.RunAsync([.. common]);
        Assert.Equal(2, half.ExitCode);
        Assert.Contains("needs all three of --mtls-cert, --mtls-key and --mtls-ca", half.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_dashboard_is_served_only_when_asked_for()
    {
        await using var redis = await RedisServer.StartAsync();
        var port = FreePorts.Next();
        await using var process = NatsRoutesProcess.Start("silo-dashboard",
            ["silo", "--redis", redis.Endpoint, "--prefix", "dash", "--port", "0", "--gateway-port", "0", "--health-port", "0",
             "--dashboard-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            new Dictionary<string, string> { ["NATSROUTES_SECRETS_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) });
        var ready = await process.WaitForLineAsync(" ready: grain calls on ", TimeSpan.FromSeconds(60));
        Assert.Contains($"dashboard on http://127.0.0.1:{port}/", ready, StringComparison.Ordinal);
        var page = await Http.GetAsync($"http://127.0.0.1:{port}/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Orleans", await page.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);

        // The health port does not serve the dashboard.
        var health = ready[(ready.IndexOf("health on ", StringComparison.Ordinal) + 10)..ready.IndexOf(", dashboard", StringComparison.Ordinal)];
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync($"{health}/")).StatusCode);
        Assert.Equal("ok\n", await Http.GetStringAsync($"{health}/healthz"));
    }
}

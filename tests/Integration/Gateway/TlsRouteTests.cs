using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Nats.OrleansRoutes.Grains;
using Nats.OrleansRoutes.TestKit;
using Nats.OrleansRoutes.TestKit.Nats;

namespace Nats.OrleansRoutes.Tests.Integration.Gateway;

/// <summary>One deployment and a test CA (plus a second, untrusted one) for the TLS route tests.</summary>
public sealed class TlsDeployment : IAsyncLifetime
{
    public const string Password = "tls-r0ute-pass";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "natsroutes-tls-" + Guid.NewGuid().ToString("N")[..8]);

    public GatewayDeployment Deployment { get; private set; } = null!;

    public TestCertificates Ca { get; private set; } = null!;

    public TestCertificates Untrusted { get; private set; } = null!;

    public (string Cert, string Key) GatewayCertificate { get; private set; }

    public async Task InitializeAsync()
    {
        Deployment = await GatewayDeployment.StartAsync();
        Ca = new TestCertificates(_directory);
        Untrusted = new TestCertificates(Path.Combine(_directory, "untrusted"), "someone else's CA");
        GatewayCertificate = Ca.Issue("gateway", "CN=gateway, O=natsroutes",
            [IPAddress.Parse(Deployment.GatewayHost), IPAddress.Loopback]);
    }

    /// <summary>A member's own TLS files, verified against <paramref name="caFile"/>.</summary>
    public static MemberTlsFiles Files((string Cert, string Key) certificate, string caFile) => new(certificate.Cert, certificate.Key, caFile);

    public async Task DisposeAsync()
    {
        await Deployment.DisposeAsync();
        Ca.Dispose();
        Untrusted.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}

/// <summary>
/// TLS on routes: 2.10.27 and 2.15.1 members that dial the gateway and one the gateway dials relay
/// to each other over TLS; a member whose certificate another CA issued is refused in the TLS
/// handshake; with verify_and_map the certificate's subject is the route user.
/// </summary>
public sealed class TlsRouteTests(TlsDeployment tls) : IClassFixture<TlsDeployment>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Members_of_both_versions_and_a_solicited_one_relay_over_tls_and_an_untrusted_certificate_is_refused()
    {
        var deployment = tls.Deployment;
        var cluster = new ClusterRef("acme", "tlsmesh");
        var soloPort = FreePorts.Next().ToString(CultureInfo.InvariantCulture);
        var soloCertificate = tls.Ca.Issue("solo", "CN=tls-solo, O=Acme", [IPAddress.Loopback]);
        await using var solo = await NatsServerProcess.StartAsync(NatsServerBinaries.V2_15, "tls-solo", $$"""
            server_name: tls-solo
            cluster {
              name: tlsmesh
              listen: 127.0.0.1:{{soloPort}}
              authorization { user: ruser, password: "{{TlsDeployment.Password}}" }
              tls { cert_file: "{{soloCertificate.CertFile}}", key_file: "{{soloCertificate.KeyFile}}", ca_file: "{{tls.Ca.CaFile}}", timeout: 2 }
            }
            """);
        await deployment.CreateClusterAsync(cluster, $$"""
            cluster {
              name: tlsmesh
              listen: 127.0.0.1:-1
              authorization { user: ruser, password: "{{TlsDeployment.Password}}" }
              routes: [ "nats-route://ruser:{{TlsDeployment.Password}}@127.0.0.1:{{soloPort}}" ]
              tls { cert_file: "{{tls.GatewayCertificate.Cert}}", key_file: "{{tls.GatewayCertificate.Key}}", ca_file: "{{tls.Ca.CaFile}}", timeout: 2 }
            }
            """);
        var m1Certificate = tls.Ca.Issue("tls-m1", "CN=tls-m1, O=Acme", [IPAddress.Loopback]);
        var m2Certificate = tls.Ca.Issue("tls-m2", "CN=tls-m2, O=Acme", [IPAddress.Loopback]);
        var m1 = await deployment.StartMemberAsync(cluster, NatsServerBinaries.V2_15, "tls-m1", TlsDeployment.Password,
            tls: TlsDeployment.Files(m1Certificate, tls.Ca.CaFile));
        var m2 = await deployment.StartMemberAsync(cluster, NatsServerBinaries.V2_10, "tls-m2", TlsDeployment.Password,
            tls: TlsDeployment.Files(m2Certificate, tls.Ca.CaFile));
        await deployment.WaitForMembersAsync(cluster, ["tls-m1", "tls-m2", "tls-solo"], connections: 4);

        var clients = new[] { await deployment.ConnectAsync(m1), await deployment.ConnectAsync(m2), await deployment.ConnectAsync(solo) };
        for (var from = 0; from < clients.Length; from++)
        {
            var to = (from + 1) % clients.Length;
            var subject = $"tls.{from}.{to}";
            var subscription = await clients[to].SubscribeAsync(subject);
            await InterestProbe.WaitAsync(clients[to], clients[from]);
            for (var i = 0; i < 10; i++)
                await clients[from].PublishAsync(subject, i.ToString(CultureInfo.InvariantCulture));
            var got = await subscription.CollectAsync(10, Wait);
            Assert.Equal(Enumerable.Range(0, 10).Select(i => i.ToString(CultureInfo.InvariantCulture)), got.Select(m => m.Text));
        }

        // A member whose certificate the cluster's CA did not issue never gets past TLS.
        var tlsFailuresBefore = await MetricAsync("natsroutes_gateway_handshake_failures_total{reason=\"tls\"}");
        var rogueCertificate = tls.Untrusted.Issue("rogue", "CN=rogue, O=Elsewhere", [IPAddress.Loopback]);
        var rogue = await deployment.StartMemberAsync(cluster, NatsServerBinaries.V2_15, "tls-rogue", TlsDeployment.Password,
            tls: TlsDeployment.Files(rogueCertificate, tls.Ca.CaFile));
        await Eventually.TrueAsync(async () => await MetricAsync("natsroutes_gateway_handshake_failures_total{reason=\"tls\"}") > tlsFailuresBefore,
            Wait, "the gateway refuses the untrusted certificate");
        Assert.False((await deployment.MembersAsync(cluster)).ContainsKey("tls-rogue"));
        // The console logger writes from a queue: the line may trail the metric.
        try
        {
            await Eventually.TrueAsync(() => Task.FromResult(deployment.Gateway.Output.Contains("TLS handshake with", StringComparison.Ordinal)),
                Wait, "the gateway logs the refused TLS handshake");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}; its last lines:\n{string.Join('\n', deployment.Gateway.Output.Split('\n').TakeLast(60))}", e);
        }
        await rogue.KillAsync();
    }

    [Fact]
    public async Task Verify_and_map_accepts_the_certificate_named_as_the_route_user_and_refuses_others()
    {
        var deployment = tls.Deployment;
        var cluster = new ClusterRef("acme", "tlsmap");
        await deployment.CreateClusterAsync(cluster, $$"""
            cluster {
              name: tlsmap
              listen: 127.0.0.1:-1
              authorization { user: "CN=route-user,O=Acme", password: "{{TlsDeployment.Password}}" }
              tls { cert_file: "{{tls.GatewayCertificate.Cert}}", key_file: "{{tls.GatewayCertificate.Key}}", ca_file: "{{tls.Ca.CaFile}}", verify_and_map: true }
            }
            """);
        var mapped = tls.Ca.Issue("mapped", "CN=route-user, O=Acme", [IPAddress.Loopback]);
        var other = tls.Ca.Issue("unmapped", "CN=someone-else, O=Acme", [IPAddress.Loopback]);
        var authorizationFailures = await MetricAsync("natsroutes_gateway_handshake_failures_total{reason=\"authorization\"}");
        await deployment.StartMemberAsync(cluster, NatsServerBinaries.V2_15, "mapped-1", TlsDeployment.Password,
            tls: TlsDeployment.Files(mapped, tls.Ca.CaFile));
        await deployment.WaitForMembersAsync(cluster, ["mapped-1"], connections: 4);

        var refused = await deployment.StartMemberAsync(cluster, NatsServerBinaries.V2_10, "unmapped-1", TlsDeployment.Password,
            tls: TlsDeployment.Files(other, tls.Ca.CaFile));
        await Eventually.TrueAsync(
            () => Task.FromResult(deployment.Gateway.Output.Contains("(\"CN=someone-else,O=Acme\") is the route user", StringComparison.Ordinal)),
            Wait, "the gateway refuses a certificate that does not map to the route user");
        Assert.True(await MetricAsync("natsroutes_gateway_handshake_failures_total{reason=\"authorization\"}") > authorizationFailures);
        Assert.False((await deployment.MembersAsync(cluster)).ContainsKey("unmapped-1"));
        Assert.True((await deployment.MembersAsync(cluster)).ContainsKey("mapped-1"));
        await refused.KillAsync();
    }

    [Fact]
    public async Task Compression_works_inside_tls_accepted_and_dialled()
    {
        var deployment = tls.Deployment;
        var cluster = new ClusterRef("acme", "tlss2");
        var soloPort = FreePorts.Next().ToString(CultureInfo.InvariantCulture);
        var soloCertificate = tls.Ca.Issue("s2-solo", "CN=s2-solo, O=Acme", [IPAddress.Loopback]);
        await using var solo = await NatsServerProcess.StartAsync(NatsServerBinaries.V2_10, "s2-solo", $$"""
            server_name: s2-solo
            cluster {
              name: tlss2
              listen: 127.0.0.1:{{soloPort}}
              authorization { user: ruser, password: "{{TlsDeployment.Password}}" }
              tls { cert_file: "{{soloCertificate.CertFile}}", key_file: "{{soloCertificate.KeyFile}}", ca_file: "{{tls.Ca.CaFile}}", timeout: 2 }
              compression: s2_fast
            }
            """);
        await deployment.CreateClusterAsync(cluster, $$"""
            cluster {
              name: tlss2
              listen: 127.0.0.1:-1
              authorization { user: ruser, password: "{{TlsDeployment.Password}}" }
              routes: [ "nats-route://ruser:{{TlsDeployment.Password}}@127.0.0.1:{{soloPort}}" ]
              tls { cert_file: "{{tls.GatewayCertificate.Cert}}", key_file: "{{tls.GatewayCertificate.Key}}", ca_file: "{{tls.Ca.CaFile}}", timeout: 2 }
              compression: s2_fast
            }
            """);
        var certificate = tls.Ca.Issue("s2-m1", "CN=s2-m1, O=Acme", [IPAddress.Loopback]);
        var m1 = await deployment.StartMemberAsync(cluster, NatsServerBinaries.V2_15, "s2-m1", TlsDeployment.Password,
            tls: TlsDeployment.Files(certificate, tls.Ca.CaFile));
        await deployment.WaitForMembersAsync(cluster, ["s2-m1", "s2-solo"], connections: 4);
        var members = await deployment.MembersAsync(cluster);
        foreach (var name in new[] { "s2-m1", "s2-solo" })
        {
            Assert.All(members[name].GetProperty("connections").EnumerateArray(),
                c => Assert.Equal("s2_fast", c.GetProperty("compression").GetProperty("mode").GetString()));
        }

        await deployment.AssertRelaysBothWaysAsync(m1, solo, string.Concat(Enumerable.Repeat("tls then s2 ", 100)));
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task The_specs_min_version_and_cipher_suites_govern_the_gateways_handshake_and_members_get_them()
    {
        var deployment = tls.Deployment;
        var cluster = new ClusterRef("acme", "tlsknobs");
        string Block(string minVersion) => $$"""
            cluster {
              name: tlsknobs
              listen: 127.0.0.1:-1
              authorization { user: ruser, password: "{{TlsDeployment.Password}}" }
              tls {
                cert_file: "{{tls.GatewayCertificate.Cert}}", key_file: "{{tls.GatewayCertificate.Key}}", ca_file: "{{tls.Ca.CaFile}}"
                timeout: 2, min_version: "{{minVersion}}", cipher_suites: ["TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"]
              }
            }
            """;
        var view = await deployment.CreateClusterAsync(cluster, Block("1.2"));
        var client = tls.Ca.Issue("knob-client", "CN=knob-client", [IPAddress.Loopback]);
        var port = view.Placement!.Port;

        // TLS 1.2 with a suite the spec does not list is refused; with the listed one it is taken.
        Assert.Null(await HandshakeAsync(port, client, SslProtocols.Tls12, TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256));
        Assert.Equal(TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
            await HandshakeAsync(port, client, SslProtocols.Tls12, TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384));

        // Real members get the same settings from member-config and relay.
        var certificate = tls.Ca.Issue("knob-m1", "CN=knob-m1, O=Acme", [IPAddress.Loopback]);
        var m1 = await deployment.StartMemberAsync(cluster, NatsServerBinaries.V2_15, "knob-m1", TlsDeployment.Password,
            tls: TlsDeployment.Files(certificate, tls.Ca.CaFile));
        var m2 = await deployment.StartMemberAsync(cluster, NatsServerBinaries.V2_10, "knob-m2", TlsDeployment.Password,
            tls: TlsDeployment.Files(tls.Ca.Issue("knob-m2", "CN=knob-m2, O=Acme", [IPAddress.Loopback]), tls.Ca.CaFile));
        await deployment.WaitForMembersAsync(cluster, ["knob-m1", "knob-m2"]);
        await deployment.AssertRelaysBothWaysAsync(m1, m2);

        // min_version 1.3 in a new spec: TLS 1.2 is refused from then on, TLS 1.3 taken.
        await deployment.Client.ImportClusterAsync(cluster, Block("1.3"), "tlsknobs.conf");
        await Eventually.TrueAsync(async () => await HandshakeAsync(port, client, SslProtocols.Tls12, TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384) is null,
            Wait, "TLS 1.2 is refused once the spec says min_version 1.3");
        Assert.NotNull(await HandshakeAsync(port, client, SslProtocols.Tls13, null));
    }

    /// <summary>A TLS handshake with the gateway's route endpoint; the suite agreed on, or null when it failed.</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private async Task<TlsCipherSuite?> HandshakeAsync(int port, (string CertFile, string KeyFile) certificate, SslProtocols protocols, TlsCipherSuite? suite)
    {
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(tls.Deployment.GatewayHost, port);
        await using var stream = new SslStream(tcp.GetStream());
        using var own = X509Certificate2.CreateFromPemFile(certificate.CertFile, certificate.KeyFile);
        try
        {
            await stream.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = tls.Deployment.GatewayHost,
                ClientCertificates = [own],
                EnabledSslProtocols = protocols,
                CipherSuitesPolicy = suite is { } only ? new CipherSuitesPolicy([only]) : null,
                RemoteCertificateValidationCallback = (_, presented, _, _) => ChainsToTestCa(presented),
            });
            return stream.NegotiatedCipherSuite;
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            return null;
        }
    }

    private bool ChainsToTestCa(X509Certificate? presented)
    {
        if (presented is not X509Certificate2 certificate)
            return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(X509CertificateLoader.LoadCertificateFromFile(tls.Ca.CaFile));
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    private Task<double> MetricAsync(string sample) => tls.Deployment.MetricAsync(sample);
}

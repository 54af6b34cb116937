using System.Net;
using System.Security.Cryptography.X509Certificates;
using Nats.OrleansRoutes.Config.Cluster;
using Nats.OrleansRoutes.Gateway.Routes;
using Nats.OrleansRoutes.TestKit;

namespace Nats.OrleansRoutes.Tests.Unit.Gateway;

/// <summary>Loading a cluster's TLS files (errors name the option and the file) and the names verify_and_map matches.</summary>
public sealed class RouteTlsTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "natsroutes-unit-tls-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly TestCertificates _ca;

    public RouteTlsTests() => _ca = new TestCertificates(_directory);

    [Fact]
    public void Good_files_load()
    {
        var (cert, key) = _ca.Issue("gw", "CN=gw", [IPAddress.Loopback]);
        using var context = RouteTlsContext.Load(new RouteTls { CertFile = cert, KeyFile = key, CaFile = _ca.CaFile, Timeout = 3 });
        Assert.Equal(TimeSpan.FromSeconds(3), context.Timeout);
    }

    [Fact]
    public void A_missing_key_file_is_named()
    {
        var (cert, _) = _ca.Issue("gw", "CN=gw", [IPAddress.Loopback]);
        var missing = Path.Combine(_directory, "nope-key.pem");
        var error = Assert.Throws<RouteTlsException>(() => RouteTlsContext.Load(new RouteTls { CertFile = cert, KeyFile = missing, CaFile = _ca.CaFile }));
        Assert.Contains("key_file " + missing, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_ca_file_is_named()
    {
        var (cert, key) = _ca.Issue("gw", "CN=gw", [IPAddress.Loopback]);
        var missing = Path.Combine(_directory, "no-ca.pem");
        var error = Assert.Throws<RouteTlsException>(() => RouteTlsContext.Load(new RouteTls { CertFile = cert, KeyFile = key, CaFile = missing }));
        Assert.Contains("ca_file " + missing, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_ca_file_routes_cannot_verify_and_the_error_says_so()
    {
        var (cert, key) = _ca.Issue("gw", "CN=gw", [IPAddress.Loopback]);
        var error = Assert.Throws<RouteTlsException>(() => RouteTlsContext.Load(new RouteTls { CertFile = cert, KeyFile = key }));
        Assert.Contains("ca_file", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("CN=route-user, O=Acme", "CN=route-user,O=Acme")]
    [InlineData("O=Acme, CN=route-user", "CN=route-user,O=Acme")]
    // Go keeps the attributes of one kind in the certificate's order, which is the reverse of this display form.
    [InlineData("CN=\"a, b\", OU=x, OU=y, C=DE", "CN=a\\, b,OU=y+OU=x,C=DE")]
    [InlineData("CN=#lead", "CN=\\#lead")]
    public void The_subject_is_written_as_go_prints_it(string subject, string expected) =>
        Assert.Equal(expected, CertificateIdentity.Subject(new X500DistinguishedName(subject)));

    [Fact]
    public void Alternative_names_come_before_the_subject()
    {
        var (cert, _) = _ca.Issue("named", "CN=member-1, O=Acme", [IPAddress.Loopback], ["member-1.acme.test"]);
        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(cert));
        Assert.Equal(["member-1.acme.test", "CN=member-1,O=Acme"], CertificateIdentity.Of(certificate));
    }

    public void Dispose()
    {
        _ca.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}

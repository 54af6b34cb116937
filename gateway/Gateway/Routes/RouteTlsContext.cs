using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Nats.OrleansRoutes.Config.Cluster;

namespace Nats.OrleansRoutes.Gateway.Routes;

/// <summary>
/// TLS of one cluster's routes, as nats-server runs it: the handshake starts right after the TCP
/// connect, before any INFO; the peer's certificate is always required and verified against the
/// cluster's <c>ca_file</c> (routes ignore <c>verify: false</c>); when we dial, the member's
/// certificate must also match the URL's host unless <c>insecure</c>. The files are read when the
/// cluster starts being served here (and when its spec changes), never stored elsewhere.
/// </summary>
internal sealed class RouteTlsContext : IDisposable
{
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    private readonly X509Certificate2 _certificate;
    private readonly X509Certificate2Collection _roots;
    private readonly SslStreamCertificateContext _context;

    private RouteTlsContext(RouteTls spec, X509Certificate2 certificate, X509Certificate2Collection roots)
    {
        Spec = spec;
        _certificate = certificate;
        _roots = roots;
        _context = SslStreamCertificateContext.Create(certificate, additionalCertificates: null, offline: true);
        Protocols = spec.MinVersion == "1.3" ? SslProtocols.Tls13 : SslProtocols.Tls12 | SslProtocols.Tls13;
        CipherSuites = CipherSuitesOf(spec);
    }

    public RouteTls Spec { get; }

    /// <summary><c>min_version</c>: TLS 1.2 and 1.3 (nats-server's default floor is 1.2), or 1.3 only.</summary>
    public SslProtocols Protocols { get; }

    /// <summary>
    /// <c>cipher_suites</c>, or null for the platform's defaults. As in Go, the list governs TLS 1.2;
    /// TLS 1.3's own suites are always allowed.
    /// </summary>
    public CipherSuitesPolicy? CipherSuites { get; }

    private static readonly TlsCipherSuite[] Tls13Suites =
        [TlsCipherSuite.TLS_AES_128_GCM_SHA256, TlsCipherSuite.TLS_AES_256_GCM_SHA384, TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256];

    private static CipherSuitesPolicy? CipherSuitesOf(RouteTls spec)
    {
        if (spec.CipherSuites.Count == 0)
            return null;
        if (OperatingSystem.IsWindows())
            throw new RouteTlsException("cipher_suites: Windows' TLS stack takes no per-connection cipher list; run the gateway on Linux or leave cipher_suites out");
        var suites = new List<TlsCipherSuite>(Tls13Suites);
        foreach (var name in spec.CipherSuites)
        {
            // Go's names are IANA's (the config reader has checked them), but for two ChaCha20 suites without the hash.
            var iana = name.EndsWith("_CHACHA20_POLY1305", StringComparison.Ordinal) ? name + "_SHA256" : name;
            if (!Enum.TryParse<TlsCipherSuite>(iana, out var suite))
                throw new RouteTlsException($"cipher_suites: {name} is not a cipher suite this gateway can offer");
            if (!suites.Contains(suite))
                suites.Add(suite);
        }
        return new CipherSuitesPolicy(suites);
    }

    /// <summary>The TLS handshake timeout (<c>tls { timeout }</c>).</summary>
    public TimeSpan Timeout => TimeSpan.FromSeconds(Spec.Timeout);

    /// <summary>Reads the key pair and the CA file; the error names the option and the file, for the operator.</summary>
    public static RouteTlsContext Load(RouteTls spec)
    {
        if (spec.CertFile is null || spec.KeyFile is null)
            throw new RouteTlsException("tls needs cert_file and key_file: the gateway presents its certificate on every route");
        if (spec.CaFile is null)
            throw new RouteTlsException("tls needs ca_file: route certificates are always verified, against the cluster's CA");
        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPemFile(spec.CertFile, spec.KeyFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new RouteTlsException($"cannot read cert_file {spec.CertFile} with key_file {spec.KeyFile}: {e.Message}");
        }
        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPemFile(spec.CaFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            certificate.Dispose();
            throw new RouteTlsException($"cannot read ca_file {spec.CaFile}: {e.Message}");
        }
        if (roots.Count == 0)
        {
            certificate.Dispose();
            throw new RouteTlsException($"ca_file {spec.CaFile} holds no certificate");
        }
        return new RouteTlsContext(spec, certificate, roots);
    }

    /// <summary>Accepted: our certificate, the member's required and verified. Returns its identities (for verify_and_map).</summary>
    public async Task<(SslStream Stream, IReadOnlyList<string> Identities)> AcceptAsync(Socket socket, CancellationToken cancellationToken)
    {
        var stream = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Timeout);
            await stream.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificateContext = _context,
                ClientCertificateRequired = true,
                EnabledSslProtocols = Protocols,
                CipherSuitesPolicy = CipherSuites,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                RemoteCertificateValidationCallback = (_, certificate, _, _) => Trusted(certificate, ClientAuth),
            }, timeout.Token);
            var peer = stream.RemoteCertificate as X509Certificate2 ?? throw new AuthenticationException("the member presented no certificate");
            return (stream, CertificateIdentity.Of(peer));
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }
    }

    /// <summary>Dialled: the member's certificate verified against the CA and the URL's host (unless insecure); ours presented.</summary>
    public async Task<SslStream> ConnectAsync(Socket socket, string host, CancellationToken cancellationToken)
    {
        var stream = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Timeout);
            await stream.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = host,
                ClientCertificateContext = _context,
                EnabledSslProtocols = Protocols,
                CipherSuitesPolicy = CipherSuites,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                    (Spec.Insecure || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0) && Trusted(certificate, ServerAuth),
            }, timeout.Token);
            return stream;
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }
    }

    /// <summary>Chains to the cluster's CA (and only to it), for the given purpose.</summary>
    private bool Trusted(X509Certificate? presented, Oid purpose)
    {
        if (presented is null)
            return false;
        var certificate = presented as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(purpose);
        if (!chain.Build(certificate))
            return false;
        if (Spec.PinnedCerts.Count > 0)
        {
            var fingerprint = Convert.ToHexStringLower(SHA256.HashData(certificate.RawData));
            return Spec.PinnedCerts.Contains(fingerprint);
        }
        return true;
    }

    public void Dispose() => _certificate.Dispose();
}

/// <summary>The cluster's TLS files cannot be used; the message says which and why.</summary>
internal sealed class RouteTlsException(string message) : Exception(message);

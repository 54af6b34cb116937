using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Orleans.Connections.Security;

namespace Nats.OrleansRoutes.Client;

/// <summary>
/// Mutual TLS on the management plane (silo to silo, client and gateway to silo): every process
/// presents a certificate issued by the deployment's own CA and accepts only peers whose
/// certificate chains to that CA. Names are not checked (silos are reached by address); trust comes
/// from the private CA alone, so it must issue certificates for nothing else.
/// </summary>
public sealed record TransportTls(string CertificateFile, string KeyFile, string CaFile)
{
    /// <summary>Sent as the TLS server name; the peer's certificate is trusted by its CA, not by this name.</summary>
    private const string ServerName = "natsroutes";

    /// <summary>This process's certificate with its key; the error names the files and what is wrong.</summary>
    public X509Certificate2 LoadCertificate()
    {
        try
        {
            return X509Certificate2.CreateFromPemFile(CertificateFile, KeyFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new ArgumentException($"TLS certificate {CertificateFile} with key {KeyFile} cannot be loaded: {e.Message} "
                + "(give PEM files: the certificate, and its unencrypted PKCS#8 or SEC1 key)", e);
        }
    }

    private X509Certificate2 LoadCa()
    {
        try
        {
            return X509Certificate2.CreateFromPem(File.ReadAllText(CaFile));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new ArgumentException($"TLS CA {CaFile} cannot be loaded: {e.Message} (give the deployment CA's certificate as PEM)", e);
        }
    }

    /// <summary>Requires and checks the peer's certificate in both directions.</summary>
    public void Configure(TlsOptions options)
    {
        var ca = LoadCa();
        options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.RemoteCertificateValidation = (certificate, _, _) => IssuedBy(ca, certificate);
        options.OnAuthenticateAsClient = (_, client) => client.TargetHost = ServerName;
    }

    /// <summary>Whether <paramref name="certificate"/> chains to <paramref name="ca"/> (and to nothing else), valid now.</summary>
    public static bool IssuedBy(X509Certificate2 ca, X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }
}

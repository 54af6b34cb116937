using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Nats.OrleansRoutes.Config.Cluster;
using Nats.OrleansRoutes.Config.Conf;
using Nats.OrleansRoutes.Config.Go;

namespace Nats.OrleansRoutes.Config.Validation;

internal sealed partial class ClusterBlockReader
{
    private static readonly HashSet<string> SecureCiphers = new(StringComparer.Ordinal)
    {
        "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
        "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    };

    private static readonly HashSet<string> InsecureCiphers = new(StringComparer.Ordinal)
    {
        "TLS_RSA_WITH_RC4_128_SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA",
        "TLS_RSA_WITH_AES_256_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA256", "TLS_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", "TLS_ECDHE_RSA_WITH_RC4_128_SHA",
        "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
    };

    private static readonly HashSet<string> Curves = new(StringComparer.Ordinal)
    {
        "CurveP256", "CurveP384", "CurveP521", "X25519", "X25519MLKEM768", "SecP256r1MLKEM768", "SecP384r1MLKEM1024",
    };

    /// <summary>
    /// <c>tls { … }</c> for routes. Like nats-server, the first bad key ends the block, then the
    /// certificate files are opened (relative paths from the working directory, as nats-server
    /// resolves them): a missing or unreadable file is an error.
    /// </summary>
    private void ReadTls(ConfEntry tlsEntry)
    {
        if (tlsEntry.Value is not ConfMap map)
        {
            findings.WrongType(tlsEntry.Value, GoTypeNames.Map);
            return;
        }
        var tls = new RouteTls();
        var ciphers = new List<string>();
        var allowInsecure = false;
        var hasCerts = false;
        foreach (var entry in map.Entries)
        {
            if (ReadTlsOption(entry, ref tls, ciphers, ref allowInsecure, ref hasCerts) is { } problem)
            {
                findings.Error(problem.At, problem.Message);
                return;
            }
        }

        var at = tlsEntry.Value.Location;
        if (hasCerts && tls.CertFile is not null)
        {
            findings.Error(at, "error parsing tls config, cannot combine 'cert_file' option with 'certs' option");
            return;
        }
        var insecure = ciphers.Where(InsecureCiphers.Contains).ToList();
        if (insecure.Count > 0 && !allowInsecure)
        {
            findings.Error(at, $"insecure cipher suites configured without 'allow_insecure_cipher_suites' option set: {string.Join(", ", insecure)}");
            return;
        }
        if (CheckCertificateFiles(tls, workingDirectory) is { } fileProblem)
        {
            findings.Error(at, fileProblem);
            return;
        }
        _tls = tls with { CipherSuites = new EquatableList<string>(ciphers) };
    }

    private (SourceLocation At, string Message)? ReadTlsOption(ConfEntry entry, ref RouteTls tls, List<string> ciphers,
        ref bool allowInsecure, ref bool hasCerts)
    {
        var value = entry.Value;
        var key = entry.Key.ToLowerInvariant();
        switch (key)
        {
            case "cert_file" or "key_file" or "ca_file":
                if (value is not ConfString file)
                    return (value.Location, $"error parsing tls config, expected '{key}' to be filename");
                tls = key switch
                {
                    "cert_file" => tls with { CertFile = file.Value },
                    "key_file" => tls with { KeyFile = file.Value },
                    _ => tls with { CaFile = file.Value },
                };
                return null;
            case "insecure" or "verify" or "verify_and_map" or "verify_cert_and_check_known_urls"
                or "allow_insecure_cipher_suites" or "cert_match_skip_invalid":
                if (value is not ConfBool flag)
                    return (value.Location, $"error parsing tls config, expected '{key}' to be a boolean");
                tls = key switch
                {
                    "insecure" => tls with { Insecure = flag.Value },
                    "verify" => tls with { Verify = flag.Value },
                    "verify_and_map" => tls with { VerifyAndMap = flag.Value, Verify = flag.Value || tls.Verify },
                    "verify_cert_and_check_known_urls" => tls with { VerifyCertAndCheckKnownUrls = flag.Value, Verify = flag.Value || tls.Verify },
                    _ => tls,
                };
                if (key == "allow_insecure_cipher_suites")
                    allowInsecure = flag.Value;
                return null;
            case "cipher_suites":
                return ReadNames(value, "cipher_suites", n => SecureCiphers.Contains(n) || InsecureCiphers.Contains(n), "unrecognized cipher", ciphers);
            case "curve_preferences":
                var curves = new List<string>();
                if (ReadNames(value, "curve_preferences", Curves.Contains, "unrecognized curve preference", curves) is { } curveProblem)
                    return curveProblem;
                tls = tls with { CurvePreferences = new EquatableList<string>(curves) };
                return null;
            case "timeout":
                switch (value)
                {
                    case ConfInteger i:
                        tls = tls with { Timeout = i.Value };
                        return null;
                    case ConfFloat f:
                        tls = tls with { Timeout = f.Value };
                        return null;
                    case ConfString s:
                        if (!GoDuration.TryParse(s.Value, out var duration, out var error))
                            return (value.Location, $"error parsing tls config, 'timeout' {error}");
                        tls = tls with { Timeout = duration.TotalSeconds };
                        return null;
                    default:
                        return (value.Location, "error parsing tls config, 'timeout' wrong type");
                }
            case "connection_rate_limit":
                return value is ConfInteger ? null : (value.Location, "error parsing tls config, 'connection_rate_limit' wrong type");
            case "pinned_certs":
                if (value is not ConfArray pins)
                    return (value.Location, "error parsing tls config, expected 'pinned_certs' to be a list of hex-encoded sha256 of DER encoded SubjectPublicKeyInfo");
                var fingerprints = new List<string>();
                foreach (var pin in pins.Items)
                {
                    var text = (pin as ConfString)?.Value.ToLowerInvariant() ?? pin.ToString() ?? "";
                    if (pin is not ConfString || text.Length != 64 || !text.All(char.IsAsciiHexDigitLower))
                        return (pin.Location, $"error parsing tls config, 'pinned_certs' key {text} does not look like hex-encoded sha256 of DER encoded SubjectPublicKeyInfo");
                    fingerprints.Add(text);
                }
                tls = tls with { PinnedCerts = new EquatableList<string>(fingerprints) };
                return null;
            case "handshake_first" or "first" or "immediate":
                if (value is ConfBool handshakeFirst)
                {
                    tls = tls with { HandshakeFirst = handshakeFirst.Value };
                    return null;
                }
                if (value is ConfString mode)
                {
                    var m = mode.Value.ToLowerInvariant();
                    if (m is "true" or "on" or "false" or "off" or "auto" or "auto_fallback" || GoDuration.TryParse(mode.Value, out _, out _))
                        return null;
                    return (value.Location, $"field {GoQuote.Quote(entry.Key)}'s value {GoQuote.Quote(mode.Value)} is invalid");
                }
                return (value.Location, $"field {GoQuote.Quote(entry.Key)} should be a boolean or a string, got {value.GoTypeName}");
            case "min_version":
                if (value is not ConfString version)
                    return (value.Location, $"error parsing tls config: 'min_version' wrong type: {value}");
                switch (version.Value)
                {
                    case "1.2" or "1.3":
                        tls = tls with { MinVersion = version.Value };
                        return null;
                    case "1.0" or "1.1":
                        return (value.Location, $"error parsing tls config: unsupported TLS version: TLS {version.Value}");
                    default:
                        return (value.Location, $"error parsing tls config: unknown version: {version.Value}");
                }
            case "certs" or "certificates":
                hasCerts = true;
                return null;
            case "ocsp_peer" or "cert_store" or "cert_match_by" or "cert_match" or "ca_certs_match":
                return null;
            default:
                return (entry.KeyLocation, $"error parsing tls config, unknown field {GoQuote.Quote(entry.Key)}");
        }
    }

    private static (SourceLocation At, string Message)? ReadNames(ConfValue value, string field, Func<string, bool> known,
        string unknownPrefix, List<string> into)
    {
        if (value is not ConfArray array)
            return (value.Location, $"interface conversion: interface {{}} is {value.GoTypeName}, not {GoTypeNames.Array}");
        if (array.Items.Count == 0)
            return (value.Location, $"error parsing tls config, '{field}' cannot be empty");
        foreach (var item in array.Items)
        {
            var name = item.ToString() ?? "";
            if (!known(name))
                return (item.Location, $"{unknownPrefix} {name}");
            into.Add(name);
        }
        return null;
    }

    /// <summary>Why a certificate and key do not load together, in Go's crypto/tls words; null when they do.</summary>
    private static string? LoadKeyPairProblem(string certFile, string keyFile)
    {
        string certPem, keyPem;
        try
        {
            certPem = File.ReadAllText(certFile);
            keyPem = File.ReadAllText(keyFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return e.Message;
        }
        try
        {
            using var certificate = X509Certificate2.CreateFromPem(certPem);
        }
        catch (CryptographicException)
        {
            return "tls: failed to find any PEM data in certificate input";
        }
        try
        {
            using var pair = X509Certificate2.CreateFromPem(certPem, keyPem);
            return null;
        }
        catch (ArgumentException)
        {
            return "tls: private key does not match public key";
        }
        catch (CryptographicException)
        {
            return "tls: failed to find any PEM data in key input";
        }
    }

    /// <summary>Opens the key pair and the CA file the way nats-server does at start, and words failures as it does.</summary>
    private static string? CheckCertificateFiles(RouteTls tls, string? workingDirectory)
    {
        string Resolve(string path) => workingDirectory is null ? path : Path.Combine(workingDirectory, path);
        if (tls.CertFile is not null || tls.KeyFile is not null)
        {
            if (tls.KeyFile is null)
                return "missing 'key_file' in TLS configuration";
            if (tls.CertFile is null)
                return "missing 'cert_file' in TLS configuration";
            foreach (var file in new[] { tls.CertFile, tls.KeyFile })
            {
                if (!File.Exists(Resolve(file)))
                    return $"error parsing X509 certificate/key pair: open {file}: no such file or directory";
            }
            if (LoadKeyPairProblem(Resolve(tls.CertFile), Resolve(tls.KeyFile)) is { } pairProblem)
                return $"error parsing X509 certificate/key pair: {pairProblem}";
        }
        if (tls.CaFile is not null)
        {
            if (!File.Exists(Resolve(tls.CaFile)))
                return $"open {tls.CaFile}: no such file or directory";
            try
            {
                var roots = new X509Certificate2Collection();
                roots.ImportFromPemFile(Resolve(tls.CaFile));
                if (roots.Count == 0)
                    return "failed to parse root ca certificate";
            }
            catch (Exception e) when (e is CryptographicException or IOException)
            {
                return "failed to parse root ca certificate";
            }
        }
        return null;
    }
}

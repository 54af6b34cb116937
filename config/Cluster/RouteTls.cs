namespace Nats.OrleansRoutes.Config.Cluster;

/// <summary>
/// <c>cluster { tls { … } }</c>. Certificate files are referenced by path, never embedded. Peer
/// certificates are always required and verified on routes, whatever <see cref="Verify"/> says.
/// </summary>
public sealed record RouteTls
{
    public const double DefaultTimeoutSeconds = 2;

    public string? CertFile { get; init; }
    public string? KeyFile { get; init; }
    public string? CaFile { get; init; }
    public bool Verify { get; init; }
    /// <summary>The peer certificate's identity replaces user/password authentication.</summary>
    public bool VerifyAndMap { get; init; }
    public bool VerifyCertAndCheckKnownUrls { get; init; }
    /// <summary>Skips verification of the acceptor's certificate when soliciting.</summary>
    public bool Insecure { get; init; }
    /// <summary>TLS handshake timeout in seconds.</summary>
    public double Timeout { get; init; } = DefaultTimeoutSeconds;
    public EquatableList<string> CipherSuites { get; init; } = EquatableList<string>.Empty;
    public EquatableList<string> CurvePreferences { get; init; } = EquatableList<string>.Empty;
    /// <summary>SHA-256 fingerprints (lower-case hex) of the only peer certificates accepted.</summary>
    public EquatableList<string> PinnedCerts { get; init; } = EquatableList<string>.Empty;
    public string? MinVersion { get; init; }
    public bool HandshakeFirst { get; init; }
}

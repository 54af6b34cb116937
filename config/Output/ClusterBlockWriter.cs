using System.Globalization;
using System.Text;
using Nats.OrleansRoutes.Config.Cluster;
using Nats.OrleansRoutes.Config.Go;

namespace Nats.OrleansRoutes.Config.Output;

/// <summary>How secrets appear in a written block.</summary>
public enum SecretMode
{
    /// <summary>Secrets become <c>[REDACTED]</c>: for display.</summary>
    Redact,
    /// <summary>Secrets are written in clear: for a file a member server will read.</summary>
    Reveal,
}

/// <summary>
/// Writes a <see cref="ClusterSpec"/> as a nats-server <c>cluster {}</c> block that nats-server
/// reads back to the same spec: every string double-quoted and escaped, durations as quoted Go
/// durations. Options that only change a default are written only when they differ from it.
/// </summary>
public static class ClusterBlockWriter
{
    public static string Write(ClusterSpec spec, SecretMode secrets = SecretMode.Redact, string indent = "  ")
    {
        var w = new BlockText(indent);
        w.Open("cluster");
        if (spec.Name is not null)
            w.Entry("name", Quote(spec.Name));
        w.Entry("listen", Quote(spec.ListenEndpoint));
        if (spec.Advertise is not null)
            w.Entry("advertise", Quote(spec.Advertise));
        if (spec.NoAdvertise)
            w.Entry("no_advertise", "true");
        if (spec.Authorization is { } auth)
        {
            w.Open("authorization");
            if (auth.User is not null)
                w.Entry("user", Quote(auth.User));
            if (auth.Password is not null)
                w.Entry("password", Quote(secrets == SecretMode.Reveal ? auth.Password.Reveal() : Secret.Redacted));
            if (auth.Timeout is { } timeout)
                w.Entry("timeout", Quote(GoDuration.Format(timeout)));
            w.Close();
        }
        if (spec.Routes.Count > 0)
        {
            w.OpenArray("routes");
            foreach (var route in spec.Routes)
                w.Item(Quote(route.Format(redact: secrets == SecretMode.Redact)));
            w.CloseArray();
        }
        if (spec.ConnectRetries != 0)
            w.Entry("connect_retries", spec.ConnectRetries.ToString(CultureInfo.InvariantCulture));
        if (spec.ConnectBackoff)
            w.Entry("connect_backoff", "true");
        if (spec.Tls is { } tls)
            WriteTls(w, tls);
        if (spec.Permissions is { } permissions)
            WritePermissions(w, permissions);
        if (spec.PoolSize != ClusterSpec.DefaultPoolSize)
            w.Entry("pool_size", spec.PoolSize.ToString(CultureInfo.InvariantCulture));
        if (spec.PinnedAccounts.Count > 0)
            w.Entry("accounts", "[" + string.Join(", ", spec.PinnedAccounts.Select(Quote)) + "]");
        WriteCompression(w, spec.Compression);
        if (spec.PingInterval is { } ping)
            w.Entry("ping_interval", Quote(GoDuration.Format(ping)));
        if (spec.PingMax is { } pingMax)
            w.Entry("ping_max", pingMax.ToString(CultureInfo.InvariantCulture));
        if (spec.WriteDeadline is { } deadline)
            w.Entry("write_deadline", Quote(GoDuration.Format(deadline)));
        if (spec.WriteTimeout is not null)
            w.Entry("write_timeout", Quote(spec.WriteTimeout));
        w.Close();
        return w.ToString();
    }

    private static void WriteTls(BlockText w, RouteTls tls)
    {
        w.Open("tls");
        if (tls.CertFile is not null)
            w.Entry("cert_file", Quote(tls.CertFile));
        if (tls.KeyFile is not null)
            w.Entry("key_file", Quote(tls.KeyFile));
        if (tls.CaFile is not null)
            w.Entry("ca_file", Quote(tls.CaFile));
        if (tls.Verify)
            w.Entry("verify", "true");
        if (tls.VerifyAndMap)
            w.Entry("verify_and_map", "true");
        if (tls.VerifyCertAndCheckKnownUrls)
            w.Entry("verify_cert_and_check_known_urls", "true");
        if (tls.Insecure)
            w.Entry("insecure", "true");
        if (Math.Abs(tls.Timeout - RouteTls.DefaultTimeoutSeconds) > 1e-9)
            w.Entry("timeout", tls.Timeout.ToString("R", CultureInfo.InvariantCulture));
        if (tls.MinVersion is not null)
            w.Entry("min_version", Quote(tls.MinVersion));
        if (tls.CipherSuites.Count > 0)
            w.Entry("cipher_suites", "[" + string.Join(", ", tls.CipherSuites.Select(Quote)) + "]");
        if (tls.CurvePreferences.Count > 0)
            w.Entry("curve_preferences", "[" + string.Join(", ", tls.CurvePreferences.Select(Quote)) + "]");
        if (tls.PinnedCerts.Count > 0)
            w.Entry("pinned_certs", "[" + string.Join(", ", tls.PinnedCerts.Select(Quote)) + "]");
        if (tls.HandshakeFirst)
            w.Entry("handshake_first", "true");
        w.Close();
    }

    private static void WritePermissions(BlockText w, ClusterPermissions permissions)
    {
        w.Open("permissions");
        foreach (var (name, permission) in new[] { ("import", permissions.Import), ("export", permissions.Export) })
        {
            if (permission is null)
                continue;
            w.Open(name);
            if (permission.Allow.Count > 0)
                w.Entry("allow", "[" + string.Join(", ", permission.Allow.Select(Quote)) + "]");
            if (permission.Deny.Count > 0)
                w.Entry("deny", "[" + string.Join(", ", permission.Deny.Select(Quote)) + "]");
            w.Close();
        }
        w.Close();
    }

    private static void WriteCompression(BlockText w, CompressionSpec compression)
    {
        if (compression.Mode == CompressionModes.Accept)
            return;
        if (compression.Mode == CompressionModes.S2Auto && compression.RttThresholds.Count > 0
            && !compression.RttThresholds.Equals(CompressionSpec.DefaultRttThresholds))
        {
            w.Open("compression");
            w.Entry("mode", Quote(compression.Mode));
            w.Entry("rtt_thresholds", "[" + string.Join(", ", compression.RttThresholds.Select(t => Quote(GoDuration.Format(t)))) + "]");
            w.Close();
            return;
        }
        w.Entry("compression", Quote(compression.Mode));
    }

    /// <summary>A double-quoted config string, using only the escapes nats-server's lexer knows; other text stays UTF-8.</summary>
    public static string Quote(string value)
    {
        var result = new StringBuilder("\"");
        foreach (var rune in value.EnumerateRunes())
        {
            switch (rune.Value)
            {
                case '"': result.Append("\\\""); break;
                case '\\': result.Append("\\\\"); break;
                case '\n': result.Append("\\n"); break;
                case '\r': result.Append("\\r"); break;
                case '\t': result.Append("\\t"); break;
                case < 0x20 or 0x7f: result.Append("\\x").Append(rune.Value.ToString("x2", CultureInfo.InvariantCulture)); break;
                default: result.Append(rune.ToString()); break;
            }
        }
        return result.Append('"').ToString();
    }

    private sealed class BlockText(string indent)
    {
        private readonly StringBuilder _text = new();
        private int _depth;

        public void Open(string key)
        {
            Line($"{key} {{");
            _depth++;
        }

        public void Close()
        {
            _depth--;
            Line("}");
        }

        public void OpenArray(string key)
        {
            Line($"{key}: [");
            _depth++;
        }

        public void CloseArray()
        {
            _depth--;
            Line("]");
        }

        public void Entry(string key, string value) => Line($"{key}: {value}");

        public void Item(string value) => Line(value);

        private void Line(string text)
        {
            for (var i = 0; i < _depth; i++)
                _text.Append(indent);
            _text.Append(text).Append('\n');
        }

        public override string ToString() => _text.ToString();
    }
}

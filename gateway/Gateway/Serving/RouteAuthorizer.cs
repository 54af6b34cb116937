using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Nats.OrleansRoutes.Gateway.Diagnostics;
using Nats.OrleansRoutes.Grains;

namespace Nats.OrleansRoutes.Gateway.Serving;

/// <summary>
/// Asks the cluster grain whether a route may join, and remembers the answer for as long as the
/// cluster's spec version does not change (the cache is keyed by a hash of the credentials, never
/// the password itself). If the control plane cannot be reached, a previously allowed handshake is
/// still allowed; an unknown one is refused with the reason.
/// </summary>
internal sealed partial class RouteAuthorizer(IClusterGrain cluster, GatewayMetrics metrics, ILogger logger)
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);
    private const int MaxCached = 1024;

    private readonly ConcurrentDictionary<string, AuthorizationDecision> _cache = new(StringComparer.Ordinal);
    private long _version;

    /// <summary>The cluster changed: answers given for older versions no longer hold.</summary>
    public void SpecVersion(long version)
    {
        if (Interlocked.Exchange(ref _version, version) != version)
            _cache.Clear();
    }

    public async Task<AuthorizationDecision> AuthorizeAsync(RouteHandshake handshake, CancellationToken cancellationToken)
    {
        var key = CacheKey(handshake);
        var version = Volatile.Read(ref _version);
        if (_cache.TryGetValue(key, out var cached) && cached.SpecVersion >= version)
            return cached;
        var started = Stopwatch.GetTimestamp();
        try
        {
            var decision = await cluster.Authorize(handshake).WaitAsync(CallTimeout, cancellationToken);
            metrics.GrainCallLatency.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            // Bounded: someone trying many passwords must not grow the cache without end.
            if (_cache.Count >= MaxCached)
                _cache.Clear();
            _cache[key] = decision;
            return decision;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if (cached is { Allowed: true })
            {
                LogCachedDecision(logger, handshake.Remote, e.Message);
                return cached;
            }
            return AuthorizationDecision.Deny(version, $"the control plane cannot be reached to authorize this route: {e.Message}");
        }
    }

    private static string CacheKey(RouteHandshake h)
    {
        var material = $"{h.User}\0{h.Password}\0{h.TlsIdentity}\0{h.ClusterName}";
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(material)));
    }

    [LoggerMessage(EventId = 2200, Level = LogLevel.Warning, Message = "Control plane unreachable ({Reason}); route from {Remote} admitted on a cached decision")]
    private static partial void LogCachedDecision(ILogger logger, string remote, string reason);
}

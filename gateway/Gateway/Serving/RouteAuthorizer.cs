using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Nats.OrleansRoutes.Grains;

namespace Nats.OrleansRoutes.Gateway.Serving;

/// <summary>
/// Asks the cluster grain whether a route may join, and remembers the answer for as long as the
/// cluster's spec version does not change (the cache is keyed by a hash of the credentials, never
/// the password itself). Concurrent handshakes with the same credentials (a member dials its whole
/// pool at once) share one call. If the control plane cannot be reached, a previously allowed
/// handshake is still allowed; an unknown one is refused with the reason. Sources that keep
/// failing are limited by <see cref="AuthFailureLimiter"/>.
/// </summary>
internal sealed partial class RouteAuthorizer(IClusterGrain cluster, AuthFailureLimiter limiter, ILogger logger)
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);
    private const int MaxCached = 1024;

    private readonly ConcurrentDictionary<string, AuthorizationDecision> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<AuthorizationDecision>>> _inFlight = new(StringComparer.Ordinal);
    private long _version;

    /// <summary>The cluster changed: answers given for older versions no longer hold.</summary>
    public void SpecVersion(long version)
    {
        if (Interlocked.Exchange(ref _version, version) != version)
            _cache.Clear();
    }

    /// <summary>The decision, and whether it was a refusal by the failure limiter (the control plane was not asked).</summary>
    public async Task<(AuthorizationDecision Decision, bool RateLimited)> AuthorizeAsync(RouteHandshake handshake, IPAddress? source,
        CancellationToken cancellationToken)
    {
        var key = CacheKey(handshake);
        var version = Volatile.Read(ref _version);
        if (_cache.TryGetValue(key, out var cached) && cached.SpecVersion >= version)
            return (cached, false);
        if (source is not null && !limiter.Allows(source))
            return (AuthorizationDecision.Deny(version, $"too many failed authentications from {source}; retry later"), true);
        var decision = await _inFlight.GetOrAdd(key, k => new Lazy<Task<AuthorizationDecision>>(() => AskAsync(k, handshake, cached, version)))
            .Value.WaitAsync(cancellationToken);
        if (!decision.Allowed && source is not null)
            limiter.Failed(source);
        return (decision, false);
    }

    private async Task<AuthorizationDecision> AskAsync(string key, RouteHandshake handshake, AuthorizationDecision? cached, long version)
    {
        try
        {
            var decision = await cluster.Authorize(handshake).WaitAsync(CallTimeout);
            // Bounded: someone trying many passwords must not grow the cache without end.
            if (_cache.Count >= MaxCached)
                _cache.Clear();
            _cache[key] = decision;
            return decision;
        }
        catch (Exception e)
        {
            if (cached is { Allowed: true })
            {
                LogCachedDecision(logger, handshake.Remote, e.Message);
                return cached;
            }
            return AuthorizationDecision.Deny(version, $"the control plane cannot be reached to authorize this route: {e.Message}");
        }
        finally
        {
            _inFlight.TryRemove(key, out _);
        }
    }

    private static string CacheKey(RouteHandshake h)
    {
        var material = $"{h.User}\0{h.Password}\0{string.Join("\u0001", h.TlsIdentities ?? [])}\0{h.ClusterName}";
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(material)));
    }

    [LoggerMessage(EventId = 2200, Level = LogLevel.Warning, Message = "Control plane unreachable ({Reason}); route from {Remote} admitted on a cached decision")]
    private static partial void LogCachedDecision(ILogger logger, string remote, string reason);
}

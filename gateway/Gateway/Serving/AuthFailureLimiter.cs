using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace Nats.OrleansRoutes.Gateway.Serving;

/// <summary>
/// Failed route authentications per source address, as a token bucket: a burst of
/// <see cref="Burst"/> failures, then one per <see cref="RefillEvery"/>. An address whose bucket
/// is empty has its handshakes with credentials never seen to succeed refused at once, without
/// asking the control plane (each check costs a password hash there). One gateway-wide instance:
/// a source trying many clusters is limited across all of them. Credentials that were accepted
/// before are not limited, so a good member behind the same address keeps connecting.
/// </summary>
public sealed class AuthFailureLimiter
{
    public const int Burst = 10;
    public static readonly TimeSpan RefillEvery = TimeSpan.FromSeconds(1);
    private const int MaxTracked = 10_000;

    private readonly ConcurrentDictionary<IPAddress, Bucket> _buckets = new();

    /// <summary>Whether an attempt from <paramref name="address"/> may be checked now.</summary>
    public bool Allows(IPAddress address) => !_buckets.TryGetValue(address, out var bucket) || bucket.Available() > 0;

    /// <summary>
    /// For log lines about refused or failed connections: the first 5 per 10 s per address are
    /// logged; the rest are counted, and the count is reported with the next line logged.
    /// </summary>
    public bool ShouldLog(IPAddress address, out int suppressed)
    {
        var bucket = _buckets.GetOrAdd(address, _ => new Bucket());
        lock (bucket)
        {
            var now = Stopwatch.GetTimestamp();
            if (bucket.WindowStart == 0 || Stopwatch.GetElapsedTime(bucket.WindowStart, now) >= LogWindow)
            {
                bucket.WindowStart = now;
                bucket.Logged = 0;
            }
            if (bucket.Logged >= LogsPerWindow)
            {
                bucket.Suppressed++;
                suppressed = 0;
                return false;
            }
            bucket.Logged++;
            suppressed = bucket.Suppressed;
            bucket.Suppressed = 0;
            return true;
        }
    }

    private const int LogsPerWindow = 5;
    private static readonly TimeSpan LogWindow = TimeSpan.FromSeconds(10);

    /// <summary>Counts a failed authentication from <paramref name="address"/>.</summary>
    public void Failed(IPAddress address)
    {
        if (_buckets.Count >= MaxTracked)
            Sweep();
        _buckets.GetOrAdd(address, _ => new Bucket()).Take();
    }

    /// <summary>Forgets buckets that have filled up again (an address that stopped failing).</summary>
    private void Sweep()
    {
        foreach (var (address, bucket) in _buckets)
        {
            if (bucket.Available() >= Burst)
                _buckets.TryRemove(address, out _);
        }
    }

    private sealed class Bucket
    {
        public long WindowStart;
        public int Logged;
        public int Suppressed;
        private double _tokens = Burst;
        private long _at = Stopwatch.GetTimestamp();

        public double Available()
        {
            lock (this)
            {
                Refill();
                return Math.Floor(_tokens);
            }
        }

        public void Take()
        {
            lock (this)
            {
                Refill();
                _tokens = Math.Max(0, _tokens - 1);
            }
        }

        private void Refill()
        {
            var now = Stopwatch.GetTimestamp();
            _tokens = Math.Min(Burst, _tokens + Stopwatch.GetElapsedTime(_at, now) / RefillEvery);
            _at = now;
        }
    }
}

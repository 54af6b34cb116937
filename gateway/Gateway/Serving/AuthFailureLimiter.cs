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
    /// For log lines about refused or failed connections: the first 5 per 10 s per address and
    /// kind are logged; the rest are counted, and the count is reported with the next line logged.
    /// Each kind has its own allowance, so a flood of one (a member redialling with an old password)
    /// never hides another (an untrusted certificate from the same address).
    /// </summary>
    public bool ShouldLog(IPAddress address, RefusalKind kind, out int suppressed)
    {
        if (_logWindows.Count >= MaxTracked)
            SweepLogWindows();
        var window = _logWindows.GetOrAdd((address, kind), _ => new LogWindowState());
        lock (window)
        {
            var now = Stopwatch.GetTimestamp();
            if (window.Start == 0 || Stopwatch.GetElapsedTime(window.Start, now) >= LogWindow)
            {
                window.Start = now;
                window.Logged = 0;
            }
            if (window.Logged >= LogsPerWindow)
            {
                window.Suppressed++;
                suppressed = 0;
                return false;
            }
            window.Logged++;
            suppressed = window.Suppressed;
            window.Suppressed = 0;
            return true;
        }
    }

    private readonly ConcurrentDictionary<(IPAddress, RefusalKind), LogWindowState> _logWindows = new();

    private const int LogsPerWindow = 5;
    private static readonly TimeSpan LogWindow = TimeSpan.FromSeconds(10);

    /// <summary>Forgets log windows that ended with nothing left to report.</summary>
    private void SweepLogWindows()
    {
        foreach (var (key, window) in _logWindows)
        {
            lock (window)
            {
                if (window.Suppressed == 0 && Stopwatch.GetElapsedTime(window.Start) >= LogWindow)
                    _logWindows.TryRemove(key, out _);
            }
        }
    }

    private sealed class LogWindowState
    {
        public long Start;
        public int Logged;
        public int Suppressed;
    }

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

/// <summary>What a throttled log line about a connection is about (each kind is throttled apart).</summary>
public enum RefusalKind
{
    Tls,
    Authorization,
    ProtocolError,
    HandshakeBound,
    /// <summary>A connection that closed before it registered.</summary>
    EarlyClose,
}

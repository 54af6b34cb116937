using System.Diagnostics;

namespace Nats.OrleansRoutes.Gateway.Routes;

// Keepalive: the auth timeout before CONNECT, a deadline for the member's INFO, then our PINGs
// (answered PONGs give the round trip time; too many unanswered close the connection as stale).
// Driven by the gateway's keepalive wheel (one timer for every connection), not a timer each.
internal sealed partial class RouteConnection
{
    private static readonly TimeSpan RegistrationTimeout = TimeSpan.FromSeconds(10);
    private readonly long _startedAt = Stopwatch.GetTimestamp();
    private int _pingsOut;
    private long _pingSentAt;
    private long _nextPingAt; // Stopwatch time; 0 until the first tick after registration

    /// <summary>
    /// One turn of the keepalive wheel (about once a second, <paramref name="now"/> in Stopwatch
    /// ticks): closes a peer that sent no CONNECT within the authorization timeout or missed its
    /// registration deadline, a member whose send is stuck past the write deadline, or one that
    /// left <c>ping_max</c> PINGs unanswered; else PINGs when the cluster's interval has passed.
    /// </summary>
    public void Tick(long now)
    {
        var state = State;
        if (state is RouteState.Closed)
            return;
        // The authorization timeout is the member's, for its CONNECT. Once that came, the control
        // plane's answer is ours to wait for (RouteAuthorizer bounds it): while a gateway takes
        // over a thousand clusters that answer can take longer, and a member cut off for it would
        // only redial a second later and ask again.
        if (state is RouteState.Authorizing)
            return;
        if (state is RouteState.AwaitingConnect)
        {
            if (now - _startedAt < Ticks(_server.Spec.AuthTimeout))
                return;
            _server.Metrics.HandshakeFailures.Add(1, new KeyValuePair<string, object?>("reason", "auth_timeout"));
            CloseAfterErr("Authentication Timeout", "no CONNECT within the authorization timeout");
            return;
        }
        if (state != RouteState.Registered)
        {
            if (now - _startedAt > Ticks(RegistrationTimeout))
                Close("the member's INFO did not arrive after its CONNECT");
            return;
        }
        CheckWriteDeadline();
        var timers = _server.Timers; // the spec may change the interval at any time
        if (_nextPingAt == 0)
            _nextPingAt = now + Ticks(timers.PingInterval);
        if (now < _nextPingAt)
            return;
        _nextPingAt = now + Ticks(timers.PingInterval);
        if (Volatile.Read(ref _pingsOut) >= timers.PingMax)
        {
            CloseAfterErr("Stale Connection", $"{_pingsOut} PINGs unanswered");
            return;
        }
        Interlocked.Increment(ref _pingsOut);
        Volatile.Write(ref _pingSentAt, Stopwatch.GetTimestamp());
        WritePing();
    }

    private static long Ticks(TimeSpan time) => (long)(time.TotalSeconds * Stopwatch.Frequency);

    private void OnPong()
    {
        Volatile.Write(ref _pingsOut, 0);
        var sent = Volatile.Read(ref _pingSentAt);
        if (sent != 0)
            Rtt = Stopwatch.GetElapsedTime(sent);
        var answered = Interlocked.Increment(ref _pongsReceived);
        lock (_roundTrips)
        {
            for (var i = _roundTrips.Count - 1; i >= 0; i--)
            {
                if (_roundTrips[i].Ping <= answered)
                {
                    _roundTrips[i].Done.TrySetResult();
                    _roundTrips.RemoveAt(i);
                }
            }
        }
    }

    private long _pingsSent; // under Out.Gate: PINGs are numbered in the order they are written
    private long _pongsReceived;
    private readonly List<(long Ping, TaskCompletionSource Done)> _roundTrips = [];

    /// <summary>
    /// A PING round trip. PONGs answer PINGs in order, so when it completes the member has processed
    /// everything written to it before — the interest announced to it included.
    /// </summary>
    public Task RoundTripAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        WritePingWhereAnOpEnds(done);
        SendNow();
        return done.Task;
    }

    private void FailRoundTrips()
    {
        lock (_roundTrips)
        {
            foreach (var (_, done) in _roundTrips)
                done.TrySetException(new IOException($"route from {Remote} closed"));
            _roundTrips.Clear();
        }
    }
}

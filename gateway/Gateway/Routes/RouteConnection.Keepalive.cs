using System.Diagnostics;
using Nats.OrleansRoutes.Gateway.Serving;
using Nats.OrleansRoutes.Protocol;

namespace Nats.OrleansRoutes.Gateway.Routes;

// Keepalive: the auth timeout before CONNECT, a deadline for the member's INFO, then our PINGs
// (answered PONGs give the round trip time; too many unanswered close the connection as stale).
internal sealed partial class RouteConnection
{
    private static readonly TimeSpan RegistrationTimeout = TimeSpan.FromSeconds(10);
    private int _pingsOut;
    private long _pingSentAt;

    private async Task KeepaliveLoopAsync()
    {
        try
        {
            await Task.Delay(_server.Spec.AuthTimeout, _closing.Token);
            if (State is RouteState.AwaitingConnect or RouteState.Authorizing)
            {
                _server.Metrics.HandshakeFailures.Add(1, new KeyValuePair<string, object?>("reason", "auth_timeout"));
                CloseAfterErr("Authentication Timeout", "no CONNECT within the authorization timeout");
                return;
            }
            using var timer = new PeriodicTimer(Tick(_server.Timers));
            var nextPing = Stopwatch.GetTimestamp() + (long)(_server.Timers.PingInterval.TotalSeconds * Stopwatch.Frequency);
            while (await timer.WaitForNextTickAsync(_closing.Token))
            {
                if (State != RouteState.Registered)
                {
                    if (DateTimeOffset.UtcNow - Started > RegistrationTimeout)
                    {
                        Close("the member's INFO did not arrive after its CONNECT");
                        return;
                    }
                    continue;
                }
                CheckWriteDeadline();
                if (Stopwatch.GetTimestamp() < nextPing)
                    continue;
                var timers = _server.Timers;
                timer.Period = Tick(timers); // the spec may have changed the interval
                nextPing = Stopwatch.GetTimestamp() + (long)(timers.PingInterval.TotalSeconds * Stopwatch.Frequency);
                if (Volatile.Read(ref _pingsOut) >= timers.PingMax)
                {
                    CloseAfterErr("Stale Connection", $"{_pingsOut} PINGs unanswered");
                    return;
                }
                Interlocked.Increment(ref _pingsOut);
                Volatile.Write(ref _pingSentAt, Stopwatch.GetTimestamp());
                WritePing();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// As often as the cluster's timers need: the ping interval, or half the write deadline (checked
    /// at each tick) when that is shorter; 5 s with the defaults. Each connection has its own timer,
    /// so a once-a-second tick cost a gateway with 12 000 connections 12 000 wake-ups a second.
    /// </summary>
    private static TimeSpan Tick(RouteTimers timers)
    {
        var half = timers.WriteDeadline / 2;
        var tick = timers.PingInterval < half ? timers.PingInterval : half;
        return tick < MinTick ? MinTick : tick;
    }

    private static readonly TimeSpan MinTick = TimeSpan.FromMilliseconds(100);

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
        lock (Out.Gate)
        {
            RouteWriter.WritePing(Out);
            var ping = ++_pingsSent;
            lock (_roundTrips)
                _roundTrips.Add((ping, done));
        }
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

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nats.OrleansRoutes.Runtime.Events;
using Nats.OrleansRoutes.Runtime.Hosting;

namespace Nats.OrleansRoutes.Runtime.Membership;

/// <summary>
/// A silo's part in membership: it joins as Active, writes heartbeats, declares silos whose
/// heartbeat is older than <see cref="RuntimeOptions.DeadAfter"/> dead (a compare-and-set that
/// bumps the table version, so every process agrees), removes long-dead entries, and leaves
/// gracefully. If it finds itself declared dead it reports it, so the silo can rejoin afresh.
/// </summary>
public sealed partial class SiloMembershipAgent(IMembershipTable table, MembershipService membership, IChangeEvents events,
    IOptions<RuntimeOptions> options, TimeProvider time, ILogger<SiloMembershipAgent> logger) : IAsyncDisposable
{
    private static readonly TimeSpan ForgetDeadAfter = TimeSpan.FromHours(1);

    private readonly CancellationTokenSource _stop = new();
    private Task? _heartbeats;
    private Task? _probes;
    private int _disposed;

    public SiloEntry? Self { get; private set; }

    /// <summary>Raised when this silo sees itself declared dead by the others.</summary>
    public event Action? DeclaredDead;

    /// <summary>Joins the table as Active with a new incarnation id for <paramref name="host"/>:<paramref name="port"/>.</summary>
    public async Task<SiloEntry> JoinAsync(string host, int port, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var entry = new SiloEntry(SiloEntry.NewId(host, port, now), host, port, SiloStatus.Active, now);
        await table.HeartbeatAsync(entry.SiloId, now, cancellationToken);
        await WriteAsync(entry, cancellationToken);
        Self = entry;
        LogJoined(logger, entry.SiloId);
        _heartbeats ??= HeartbeatLoopAsync(_stop.Token);
        _probes ??= ProbeLoopAsync(_stop.Token);
        return entry;
    }

    /// <summary>Marks this silo ShuttingDown (its grains move to others at once), then Dead.</summary>
    public async Task LeaveAsync(CancellationToken cancellationToken)
    {
        if (Self is not { } self)
            return;
        await _stop.CancelAsync();
        await WriteAsync(self with { Status = SiloStatus.ShuttingDown }, cancellationToken);
        await WriteAsync(self with { Status = SiloStatus.Dead }, cancellationToken);
        LogLeft(logger, self.SiloId);
    }

    /// <summary>Writes an entry with compare-and-set on the table version, re-reading until it wins.</summary>
    private async Task WriteAsync(SiloEntry entry, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var snapshot = await table.ReadAsync(cancellationToken);
            if (await table.TryWriteAsync(entry, snapshot.Version, cancellationToken))
            {
                await AnnounceAsync(snapshot.Version + 1, cancellationToken);
                return;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(500, 10 * (attempt + 1))), time, cancellationToken);
        }
    }

    private async Task AnnounceAsync(long version, CancellationToken cancellationToken)
    {
        await membership.RefreshIfOlderAsync(version, cancellationToken);
        try
        {
            await events.PublishAsync(MembershipService.Topic, version.ToString(System.Globalization.CultureInfo.InvariantCulture), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogAnnounceFailed(logger, e.Message); // others still re-read periodically
        }
    }

    private async Task HeartbeatLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.Value.HeartbeatInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                try
                {
                    await table.HeartbeatAsync(Self!.SiloId, time.GetUtcNow(), cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogHeartbeatFailed(logger, e.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ProbeLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.Value.HeartbeatInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                try
                {
                    await ProbeOnceAsync(cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogProbeFailed(logger, e.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>One pass: declare stale silos dead, forget long-dead ones, notice our own death.</summary>
    internal async Task ProbeOnceAsync(CancellationToken cancellationToken)
    {
        var snapshot = await table.ReadAsync(cancellationToken);
        membership.Install(new MembershipView(snapshot.Version, snapshot.Entries));
        var now = time.GetUtcNow();
        var self = Self!;
        var mine = snapshot.Entries.FirstOrDefault(e => e.SiloId == self.SiloId);
        if (mine is null || mine.Status == SiloStatus.Dead)
        {
            LogDeclaredDead(logger, self.SiloId);
            await _stop.CancelAsync();
            DeclaredDead?.Invoke();
            return;
        }
        foreach (var entry in snapshot.Entries)
        {
            if (entry.SiloId == self.SiloId)
                continue;
            var heartbeat = snapshot.Heartbeats.TryGetValue(entry.SiloId, out var at) ? at : entry.StartTime;
            var silent = now - heartbeat;
            if (entry.Status is SiloStatus.Active or SiloStatus.Joining or SiloStatus.ShuttingDown && silent > options.Value.DeadAfter)
            {
                if (await table.TryWriteAsync(entry with { Status = SiloStatus.Dead }, snapshot.Version, cancellationToken))
                {
                    LogDeclaredOtherDead(logger, entry.SiloId, silent.TotalSeconds);
                    await AnnounceAsync(snapshot.Version + 1, cancellationToken);
                }
                return; // the table moved on either way; look again next tick
            }
            if (entry.Status == SiloStatus.Dead && silent > ForgetDeadAfter)
            {
                if (await table.TryRemoveAsync(entry.SiloId, snapshot.Version, cancellationToken))
                    await AnnounceAsync(snapshot.Version + 1, cancellationToken);
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        await _stop.CancelAsync();
        foreach (var loop in new[] { _heartbeats, _probes })
        {
            if (loop is not null)
                await loop;
        }
        _stop.Dispose();
    }

    [LoggerMessage(EventId = 110, Level = LogLevel.Information, Message = "Silo {SiloId} joined membership")]
    private static partial void LogJoined(ILogger logger, string siloId);

    [LoggerMessage(EventId = 111, Level = LogLevel.Information, Message = "Silo {SiloId} left membership")]
    private static partial void LogLeft(ILogger logger, string siloId);

    [LoggerMessage(EventId = 112, Level = LogLevel.Warning, Message = "Declared silo {SiloId} dead: no heartbeat for {Seconds:F1} s")]
    private static partial void LogDeclaredOtherDead(ILogger logger, string siloId, double seconds);

    [LoggerMessage(EventId = 113, Level = LogLevel.Error, Message = "This silo ({SiloId}) was declared dead by the others; it must rejoin")]
    private static partial void LogDeclaredDead(ILogger logger, string siloId);

    [LoggerMessage(EventId = 114, Level = LogLevel.Warning, Message = "Heartbeat write failed: {Reason}")]
    private static partial void LogHeartbeatFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 115, Level = LogLevel.Warning, Message = "Membership probe failed: {Reason}")]
    private static partial void LogProbeFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 116, Level = LogLevel.Debug, Message = "Could not announce a membership change: {Reason}")]
    private static partial void LogAnnounceFailed(ILogger logger, string reason);
}

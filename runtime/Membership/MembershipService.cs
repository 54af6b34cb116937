using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nats.OrleansRoutes.Runtime.Diagnostics;
using Nats.OrleansRoutes.Runtime.Events;
using Nats.OrleansRoutes.Runtime.Hosting;

namespace Nats.OrleansRoutes.Runtime.Membership;

/// <summary>
/// This process's view of the membership table. It re-reads the table every refresh interval,
/// on a "membership" change event, and on demand (a "moved" answer carries a newer version).
/// If the table cannot be read, the last view is kept and the failure is logged.
/// </summary>
public sealed partial class MembershipService(IMembershipTable table, IChangeEvents events, IOptions<RuntimeOptions> options,
    ILogger<MembershipService> logger) : IAsyncDisposable
{
    public const string Topic = "membership";

    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private IDisposable? _subscription;
    private Task? _loop;
    private int _disposed;
    private volatile MembershipView _view = MembershipView.Empty;

    public MembershipView Current => _view;

    /// <summary>Raised (on a pool thread) whenever a newer view is installed.</summary>
    public event Action<MembershipView>? ViewChanged;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = events.Subscribe(Topic, _ => RefreshQuietlyAsync().Forget());
        _loop = RefreshLoopAsync(_stop.Token);
        return RefreshQuietlyAsync();
    }

    /// <summary>Reads the table and installs its view if it is newer; throws when the table cannot be read.</summary>
    public async Task<MembershipView> RefreshAsync(CancellationToken cancellationToken)
    {
        await _refreshing.WaitAsync(cancellationToken);
        try
        {
            var snapshot = await table.ReadAsync(cancellationToken);
            return Install(new MembershipView(snapshot.Version, snapshot.Entries));
        }
        finally
        {
            _refreshing.Release();
        }
    }

    /// <summary>Refreshes only if the current view is older than <paramref name="version"/>.</summary>
    public async Task<MembershipView> RefreshIfOlderAsync(long version, CancellationToken cancellationToken) =>
        _view.Version >= version ? _view : await RefreshAsync(cancellationToken);

    /// <summary>Installs a view already read (by the silo's own agent) without another round trip.</summary>
    public MembershipView Install(MembershipView view)
    {
        while (true)
        {
            var current = _view;
            if (view.Version <= current.Version && current.Version != 0)
                return current;
            if (Interlocked.CompareExchange(ref _view, view, current) == current)
            {
                LogViewChanged(logger, view.Version, view.Active.Count);
                ViewChanged?.Invoke(view);
                return view;
            }
        }
    }

    private async Task RefreshQuietlyAsync()
    {
        try
        {
            await RefreshAsync(_stop.Token);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            LogRefreshFailed(logger, _view.Version, e.Message);
        }
    }

    private async Task RefreshLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.Value.RefreshInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
                await RefreshQuietlyAsync();
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        _subscription?.Dispose();
        await _stop.CancelAsync();
        if (_loop is not null)
            await _loop;
        _stop.Dispose();
        _refreshing.Dispose();
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Membership view v{Version}: {Active} active silos")]
    private static partial void LogViewChanged(ILogger logger, long version, int active);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "Cannot read the membership table (keeping view v{Version}): {Reason}")]
    private static partial void LogRefreshFailed(ILogger logger, long version, string reason);
}

using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nats.OrleansRoutes.Runtime.Activation;
using Nats.OrleansRoutes.Runtime.Client;
using Nats.OrleansRoutes.Runtime.Diagnostics;
using Nats.OrleansRoutes.Runtime.Hosting;
using Nats.OrleansRoutes.Runtime.Identity;
using Nats.OrleansRoutes.Runtime.Invocation;
using Nats.OrleansRoutes.Runtime.Membership;
using Nats.OrleansRoutes.Runtime.Placement;
using Nats.OrleansRoutes.Runtime.Storage;
using Nats.OrleansRoutes.Runtime.Transport;

namespace Nats.OrleansRoutes.Runtime.Silo;

/// <summary>
/// A silo: it listens for grain calls, joins membership, runs the calls for grains it owns and
/// answers "moved" (with its membership version) for the others. Stopping hands its grains over:
/// it leaves membership first, so callers go elsewhere, then deactivates what it holds.
/// </summary>
public sealed partial class SiloRuntime : IAsyncDisposable, ILocalGrainHost
{
    private readonly MembershipService _membership;
    private readonly SiloMembershipAgent _agent;
    private readonly ActivationDirectory _activations;
    private readonly GrainDispatcher _dispatcher;
    private readonly GrainClient _client;
    private readonly RuntimeOptions _options;
    private readonly RuntimeMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly GrainListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private Task? _collector;
    private volatile bool _stopping;

    internal SiloRuntime(MembershipService membership, SiloMembershipAgent agent, ActivationDirectory activations,
        GrainDispatcher dispatcher, GrainClient client, IOptions<RuntimeOptions> options, RuntimeMetrics metrics,
        TimeProvider time, ILogger<SiloRuntime> logger)
    {
        _membership = membership;
        _agent = agent;
        _activations = activations;
        _dispatcher = dispatcher;
        _client = client;
        _options = options.Value;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _listener = new GrainListener((request, ct) => HandleRemoteAsync(request, ct), _options.MaxFrameBytes, logger);
        metrics.ObserveActivations(() => _activations.Count);
    }

    public string SiloId => _agent.Self?.SiloId ?? "(not joined)";

    /// <summary>The endpoint other processes call this silo at.</summary>
    public string Endpoint => $"{_options.SiloHost}:{_listener.Port}";

    public int ActivationCount => _activations.Count;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _listener.Start(_options.SiloHost, _options.SiloPort);
        await _agent.JoinAsync(_options.SiloHost, _listener.Port, cancellationToken);
        _client.LocalHost = this;
        _agent.DeclaredDead += () => _ = RejoinAsync();
        _collector = CollectLoopAsync(_stop.Token);
        LogStarted(_logger, SiloId, Endpoint);
    }

    /// <summary>Leaves membership (grains move at once), deactivates every activation, stops listening.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stopping)
            return;
        _stopping = true;
        LogStopping(_logger, SiloId, _activations.Count);
        await _stop.CancelAsync();
        try
        {
            await _agent.LeaveAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogLeaveFailed(_logger, e.Message); // the others will declare us dead after the timeout
        }
        await _activations.DeactivateAllAsync(TimeSpan.FromSeconds(10));
        _client.LocalHost = null;
    }

    private async Task RejoinAsync()
    {
        await _activations.DeactivateAllAsync(TimeSpan.FromSeconds(10));
        if (_stopping)
            return;
        await _agent.JoinAsync(_options.SiloHost, _listener.Port, _stop.Token);
    }

    private Task<ResponseFrame> HandleRemoteAsync(RequestFrame request, CancellationToken cancellationToken) =>
        HandleAsync(new GrainId(request.GrainType, request.GrainKey), request.Method, request.Arguments,
            request.CallerVersion, request.TimeoutMilliseconds, request.CorrelationId, cancellationToken);

    Task<ResponseFrame> ILocalGrainHost.HandleAsync(GrainCall call, long callerVersion, CancellationToken cancellationToken) =>
        HandleAsync(call.Target, call.Method, call.Arguments, callerVersion, (int)call.Timeout.TotalMilliseconds, 0, cancellationToken);

    private async Task<ResponseFrame> HandleAsync(GrainId target, string method, byte[] arguments, long callerVersion,
        int timeoutMilliseconds, long correlationId, CancellationToken cancellationToken)
    {
        var deadline = Environment.TickCount64 + timeoutMilliseconds;
        if (_stopping)
            return Answer(correlationId, CallStatus.Moved, "this silo is shutting down");
        MembershipView view;
        try
        {
            view = await _membership.RefreshIfOlderAsync(callerVersion, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Answer(correlationId, CallStatus.Unavailable, $"membership cannot be read: {e.Message}");
        }
        var owner = RendezvousPlacement.Owner(target, view.Active);
        if (owner?.SiloId != _agent.Self?.SiloId)
        {
            _metrics.CallsMoved.Add(1);
            return new ResponseFrame(correlationId, CallStatus.Moved, view.Version, []);
        }

        _metrics.CallsReceived.Add(1);
        var outcome = await _dispatcher.DispatchAsync(target, method, arguments, deadline);
        if (outcome.Result is { } result)
            return new ResponseFrame(correlationId, CallStatus.Ok, view.Version, result);
        if (outcome.TimedOut)
            return Answer(correlationId, CallStatus.Timeout, "the call waited past its deadline for its turn");
        var error = outcome.Error!;
        if (error is StorageUnavailableException)
            return Answer(correlationId, CallStatus.Unavailable, error.Message);
        LogCallFailed(_logger, method, target, error.Message);
        return Answer(correlationId, CallStatus.Error, error.Message);
    }

    private ResponseFrame Answer(long correlationId, CallStatus status, string text) =>
        new(correlationId, status, _membership.Current.Version, Encoding.UTF8.GetBytes(text));

    private async Task CollectLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.CollectionInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var collected = _activations.CollectIdle(_options.IdleTimeout);
                if (collected > 0)
                    LogCollected(_logger, collected);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
        if (_collector is not null)
            await _collector;
        await _listener.DisposeAsync();
        _stop.Dispose();
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Silo {SiloId} serving grain calls at {Endpoint}")]
    private static partial void LogStarted(ILogger logger, string siloId, string endpoint);

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "Silo {SiloId} stopping: leaving membership and deactivating {Activations} activations")]
    private static partial void LogStopping(ILogger logger, string siloId, int activations);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "Could not leave membership cleanly: {Reason}")]
    private static partial void LogLeaveFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 303, Level = LogLevel.Debug, Message = "Collected {Count} idle activations")]
    private static partial void LogCollected(ILogger logger, int count);

    [LoggerMessage(EventId = 304, Level = LogLevel.Information, Message = "{Method} on {Grain} failed: {Reason}")]
    private static partial void LogCallFailed(ILogger logger, string method, GrainId grain, string reason);
}

using Nats.OrleansRoutes.Runtime.Identity;

namespace Nats.OrleansRoutes.Runtime.Grains;

/// <summary>
/// Base class of grain implementations. One activation runs one call at a time, so grain code
/// needs no locks. Calls to other grains go through <see cref="GrainFactory"/>; never call back
/// into a grain that is waiting for you (calls are not reentrant and would time out).
/// </summary>
public abstract class Grain
{
    private IGrainContext? _context;

    protected GrainId GrainId => Context.GrainId;

    protected string Key => Context.GrainId.Key;

    protected IGrainFactory GrainFactory => Context.GrainFactory;

    protected TimeProvider Time => Context.TimeProvider;

    internal IGrainContext Context => _context ?? throw new InvalidOperationException("The grain is not activated.");

    internal void Attach(IGrainContext context) => _context = context;

    /// <summary>Runs once, before the first call, after the state has been loaded.</summary>
    public virtual Task OnActivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs once when the activation is collected or the silo stops.</summary>
    public virtual Task OnDeactivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Asks the runtime to deactivate this activation once the current call has finished.</summary>
    protected void DeactivateOnIdle() => Context.DeactivateOnIdle();

    internal virtual Task LoadStateAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

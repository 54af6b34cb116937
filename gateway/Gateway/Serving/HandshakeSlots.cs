namespace Nats.OrleansRoutes.Gateway.Serving;

/// <summary>
/// A gateway-wide bound on connections that have not completed their handshake: someone opening
/// thousands of connections and sending nothing ties up at most this many (each is closed by the
/// authorization timeout anyway). At the bound a listener stops accepting until a slot frees, so
/// later connections wait in its listen backlog instead of being refused: after a failover every
/// member redials at once, and a refused route is only dialled again a second later. Slots go to
/// the waiting listeners in the order they asked, so a flood on one cluster's port delays the
/// members of another by its turn, never shuts them out.
/// </summary>
public sealed class HandshakeSlots : IDisposable
{
    private readonly int _max;
    private readonly SemaphoreSlim _free;

    public HandshakeSlots(Microsoft.Extensions.Options.IOptions<GatewayOptions> options)
    {
        _max = options.Value.MaxHandshakes;
        _free = new SemaphoreSlim(_max, _max);
    }

    public int Used => _max - _free.CurrentCount;

    public bool TryEnter() => _free.Wait(0);

    /// <summary>Waits for a free slot, first come first served.</summary>
    public Task EnterAsync(CancellationToken cancellationToken) => _free.WaitAsync(cancellationToken);

    public void Exit() => _free.Release();

    public void Dispose() => _free.Dispose();
}

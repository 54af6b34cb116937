namespace Nats.OrleansRoutes.Gateway.Serving;

/// <summary>
/// A gateway-wide bound on connections that have not completed their handshake: someone opening
/// thousands of connections and sending nothing ties up at most this many (each is closed by the
/// authorization timeout anyway); beyond it new connections are closed at once.
/// </summary>
public sealed class HandshakeSlots(Microsoft.Extensions.Options.IOptions<GatewayOptions> options)
{
    private int _used;

    public int Used => Volatile.Read(ref _used);

    public bool TryEnter()
    {
        if (Interlocked.Increment(ref _used) <= options.Value.MaxHandshakes)
            return true;
        Interlocked.Decrement(ref _used);
        return false;
    }

    public void Exit() => Interlocked.Decrement(ref _used);
}

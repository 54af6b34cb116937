namespace Nats.OrleansRoutes.TestKit;

/// <summary>
/// Distinct 127.x addresses, so several gateways (and test runs) can use the same port range at once
/// without colliding: on Linux every 127.0.0.0/8 address is a loopback address.
/// </summary>
public static class LoopbackHosts
{
    private static int _next;

    public static string Next()
    {
        // The process id spreads concurrent test processes over the second octet.
        var n = Interlocked.Increment(ref _next);
        return $"127.{10 + (Environment.ProcessId % 200)}.{n / 250}.{1 + (n % 250)}";
    }
}

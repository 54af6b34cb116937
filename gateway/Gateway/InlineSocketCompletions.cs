namespace Nats.OrleansRoutes.Gateway;

/// <summary>
/// The runtime's switch that runs socket completions on its socket-engine threads instead of
/// handing each to a thread-pool worker. A quiet gateway's work is its members' PINGs, arriving
/// one at a time; each woke a worker, which answered in microseconds and then spun, yielding the
/// core dozens of times, before it slept: half of an idle gateway's CPU (docs/BENCHMARKS.md).
/// Nothing the gateway runs on a completion blocks: its sockets are non-blocking, what a send
/// does not take goes to the connection's writer loop, and control-plane calls are awaited.
/// </summary>
public static class InlineSocketCompletions
{
    /// <summary>Read by the runtime once, when the process makes its first socket.</summary>
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>Whether this process runs socket completions inline (as the runtime reads the switch).</summary>
    public static bool Enabled => Environment.GetEnvironmentVariable(Variable) == "1";

    /// <summary>
    /// Turns them on unless the environment already decides (<c>0</c> keeps the thread pool). Call
    /// before anything in the process opens a socket.
    /// </summary>
    public static void PreferUnlessSet()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)))
            Environment.SetEnvironmentVariable(Variable, "1");
    }
}

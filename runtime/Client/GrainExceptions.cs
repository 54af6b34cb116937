using Nats.OrleansRoutes.Runtime.Invocation;

namespace Nats.OrleansRoutes.Runtime.Client;

/// <summary>The grain method threw; <see cref="Exception.Message"/> is the grain's own message.</summary>
public sealed class GrainCallException(GrainCall call, string message) : Exception(message)
{
    public GrainCall Call { get; } = call;
}

/// <summary>No silo can run the call now (none active, silo stopping, storage unreachable). Fails fast.</summary>
public class GrainUnavailableException(GrainCall call, string message) : Exception($"{call}: {message}")
{
    public GrainCall Call { get; } = call;
}

/// <summary>The call did not finish within its timeout.</summary>
public sealed class GrainCallTimeoutException(GrainCall call, string where)
    : TimeoutException($"{call} did not finish within {call.Timeout.TotalSeconds:0.###} s ({where})")
{
    public GrainCall Call { get; } = call;
}

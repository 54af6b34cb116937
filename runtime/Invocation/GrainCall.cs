using Nats.OrleansRoutes.Runtime.Identity;

namespace Nats.OrleansRoutes.Runtime.Invocation;

/// <summary>A call on its way to a grain: target, method name and the serialized arguments.</summary>
public sealed record GrainCall(GrainId Target, string Method, byte[] Arguments, TimeSpan Timeout)
{
    public override string ToString() => $"{Method} on {Target}";
}

/// <summary>Delivers calls to wherever the target grain lives and returns the serialized result.</summary>
public interface IGrainCallInvoker
{
    Task<byte[]> InvokeAsync(GrainCall call, CancellationToken cancellationToken);
}

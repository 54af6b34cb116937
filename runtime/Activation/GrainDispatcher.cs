using Microsoft.Extensions.Options;
using Nats.OrleansRoutes.Runtime.Hosting;
using Nats.OrleansRoutes.Runtime.Identity;
using Nats.OrleansRoutes.Runtime.Invocation;
using Nats.OrleansRoutes.Runtime.Serialization;

namespace Nats.OrleansRoutes.Runtime.Activation;

/// <summary>
/// Runs a call on this silo: finds (or creates) the grain's activation, queues the call for its
/// turn and waits. A call that met stale state, or an activation that was going away, is retried
/// on a fresh activation (bounded), re-reading the arguments so no attempt sees another's objects.
/// </summary>
internal sealed class GrainDispatcher(ActivationDirectory directory, GrainTypeRegistry registry, GrainSerializer serializer,
    IOptions<RuntimeOptions> options)
{
    public async Task<CallOutcome> DispatchAsync(GrainId target, string methodName, byte[] arguments, long deadline)
    {
        if (!registry.TryGet(target.Type, out var info))
            return CallOutcome.Failed(new InvalidOperationException($"unknown grain type \"{target.Type}\""));
        if (!info.Methods.TryGetValue(methodName, out var method))
            return CallOutcome.Failed(new InvalidOperationException($"grain type \"{target.Type}\" has no method {methodName}"));

        var attempts = options.Value.MaxCallAttempts;
        for (var attempt = 1; attempt <= attempts; attempt++)
        {
            var args = serializer.DeserializeArguments(method, arguments);
            var activation = directory.GetOrCreate(target);
            var item = new CallWorkItem(method, args, serializer, deadline);
            if (!activation.TryEnqueue(item))
            {
                await Task.Yield();
                continue;
            }
            var outcome = await item.Outcome.Task;
            if (!outcome.Retry)
                return outcome;
        }
        return CallOutcome.Failed(new InvalidOperationException(
            $"{methodName} on {target} gave up after {attempts} attempts: its state kept changing underneath (another activation kept writing)"));
    }
}

using Nats.OrleansRoutes.Runtime.Grains;
using Nats.OrleansRoutes.Runtime.Invocation;
using Nats.OrleansRoutes.Runtime.Serialization;
using Nats.OrleansRoutes.Runtime.Storage;

namespace Nats.OrleansRoutes.Runtime.Activation;

/// <summary>One grain call waiting for its turn; its outcome is the serialized result or the error.</summary>
internal sealed class CallWorkItem(MethodDescriptor method, object?[] args, GrainSerializer serializer, long deadline)
    : WorkItem
{
    public TaskCompletionSource<CallOutcome> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override async Task<TurnOutcome> RunAsync(Grain grain)
    {
        if (Environment.TickCount64 > deadline)
        {
            // The caller has given up already; running the call now would surprise it.
            Outcome.TrySetResult(CallOutcome.Expired);
            return TurnOutcome.Done;
        }
        try
        {
            var result = await method.InvokeAsync(grain, args, CancellationToken.None);
            var bytes = method.ResultType is null ? [] : serializer.SerializeResult(method.ResultType, result);
            Outcome.TrySetResult(CallOutcome.Succeeded(bytes));
            return TurnOutcome.Done;
        }
        catch (InconsistentStateException)
        {
            Outcome.TrySetResult(CallOutcome.RetryOnNewActivation);
            return TurnOutcome.DiscardActivation;
        }
        catch (StorageUnavailableException e)
        {
            // The grain may have changed its state in memory before the write failed: that memory no
            // longer matches storage, so the activation goes and the next call reloads what is stored.
            Outcome.TrySetResult(CallOutcome.Failed(e));
            return TurnOutcome.DiscardActivation;
        }
        catch (Exception e)
        {
            Outcome.TrySetResult(CallOutcome.Failed(e));
            return TurnOutcome.Done;
        }
    }

    public override void Fail(Exception error) => Outcome.TrySetResult(CallOutcome.Failed(error));

    public override void Retry() => Outcome.TrySetResult(CallOutcome.RetryOnNewActivation);
}

/// <summary>What happened to a call inside the silo.</summary>
internal readonly record struct CallOutcome(byte[]? Result, Exception? Error, bool Retry, bool TimedOut = false)
{
    public static CallOutcome RetryOnNewActivation { get; } = new(null, null, true);

    public static CallOutcome Expired { get; } = new(null, null, false, true);

    public static CallOutcome Succeeded(byte[] result) => new(result, null, false);

    public static CallOutcome Failed(Exception error) => new(null, error, false);
}

using System.Reflection;
using Nats.OrleansRoutes.Runtime.Identity;
using Nats.OrleansRoutes.Runtime.Serialization;

namespace Nats.OrleansRoutes.Runtime.Invocation;

/// <summary>
/// The object behind <c>GetGrain&lt;T&gt;(key)</c>: every interface method becomes a
/// <see cref="GrainCall"/> handed to the process's <see cref="IGrainCallInvoker"/>.
/// </summary>
public class GrainProxy : DispatchProxy
{
    private GrainId _id;
    private GrainInterfaceInfo _info = null!;
    private IGrainCallInvoker _invoker = null!;
    private GrainSerializer _serializer = null!;
    private TimeSpan _timeout;

    internal void Bind(GrainId id, GrainInterfaceInfo info, IGrainCallInvoker invoker, GrainSerializer serializer, TimeSpan timeout)
    {
        _id = id;
        _info = info;
        _invoker = invoker;
        _serializer = serializer;
        _timeout = timeout;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (!_info.ByMethod.TryGetValue(targetMethod, out var method))
            throw new NotSupportedException($"{targetMethod.Name} is not a grain method of {_info.Interface.Name}.");
        args ??= [];
        var cancellation = method.HasCancellationToken ? (CancellationToken)args[^1]! : CancellationToken.None;
        var call = new GrainCall(_id, method.Name, _serializer.SerializeArguments(method, args), _timeout);
        return method.WrapResult(_invoker.InvokeAsync(call, cancellation), _serializer);
    }

    public override string ToString() => $"{_info.Interface.Name}({_id})";
}

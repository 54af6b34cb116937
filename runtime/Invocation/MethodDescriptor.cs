using System.Linq.Expressions;
using System.Reflection;

namespace Nats.OrleansRoutes.Runtime.Invocation;

/// <summary>
/// One method of a grain interface: its wire name, the types of its sent parameters, its result
/// type, and a compiled delegate that calls it on a grain instance.
/// </summary>
public sealed class MethodDescriptor
{
    private readonly Func<object, object?[], CancellationToken, Task> _call;
    private readonly Func<Task, object?>? _result;

    internal MethodDescriptor(Type grainInterface, MethodInfo method)
    {
        Method = method;
        Name = method.Name;
        var parameters = method.GetParameters();
        HasCancellationToken = parameters.Length > 0 && parameters[^1].ParameterType == typeof(CancellationToken);
        ParameterTypes = [.. parameters.Take(parameters.Length - (HasCancellationToken ? 1 : 0)).Select(p => p.ParameterType)];
        ResultType = method.ReturnType.IsGenericType ? method.ReturnType.GetGenericArguments()[0] : null;
        _call = CompileCall(grainInterface, method, ParameterTypes, HasCancellationToken);
        _result = ResultType is null ? null : CompileResult(method.ReturnType);
        WrapResult = ResultType is null
            ? static (bytes, _) => bytes
            : typeof(MethodDescriptor).GetMethod(nameof(Typed), BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(ResultType).CreateDelegate<Func<Task<byte[]>, Serialization.GrainSerializer, Task>>();
    }

    /// <summary>Turns the raw result of a remote call into the Task the interface method returns.</summary>
    internal Func<Task<byte[]>, Serialization.GrainSerializer, Task> WrapResult { get; }

    private static async Task<T> Typed<T>(Task<byte[]> result, Serialization.GrainSerializer serializer) =>
        serializer.DeserializeResult<T>(await result);

    public string Name { get; }

    public MethodInfo Method { get; }

    public Type[] ParameterTypes { get; }

    /// <summary>The T of Task&lt;T&gt;, or null for Task.</summary>
    public Type? ResultType { get; }

    public bool HasCancellationToken { get; }

    /// <summary>Calls the method on a grain and returns its result boxed (null for Task).</summary>
    public async Task<object?> InvokeAsync(object grain, object?[] args, CancellationToken cancellationToken)
    {
        var task = _call(grain, args, cancellationToken);
        await task;
        return _result?.Invoke(task);
    }

    private static Func<object, object?[], CancellationToken, Task> CompileCall(Type grainInterface, MethodInfo method,
        Type[] parameterTypes, bool hasToken)
    {
        var grain = Expression.Parameter(typeof(object), "grain");
        var args = Expression.Parameter(typeof(object?[]), "args");
        var token = Expression.Parameter(typeof(CancellationToken), "cancellationToken");
        var arguments = parameterTypes
            .Select((type, i) => (Expression)Expression.Convert(Expression.ArrayIndex(args, Expression.Constant(i)), type))
            .ToList();
        if (hasToken)
            arguments.Add(token);
        var call = Expression.Call(Expression.Convert(grain, grainInterface), method, arguments);
        return Expression.Lambda<Func<object, object?[], CancellationToken, Task>>(
            Expression.Convert(call, typeof(Task)), grain, args, token).Compile();
    }

    private static Func<Task, object?> CompileResult(Type taskType)
    {
        var task = Expression.Parameter(typeof(Task), "task");
        var result = Expression.Property(Expression.Convert(task, taskType), "Result");
        return Expression.Lambda<Func<Task, object?>>(Expression.Convert(result, typeof(object)), task).Compile();
    }
}

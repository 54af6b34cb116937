using System.Reflection;
using Nats.OrleansRoutes.Runtime.Grains;
using Nats.OrleansRoutes.Runtime.Hosting;
using Nats.OrleansRoutes.Runtime.Identity;
using Nats.OrleansRoutes.Runtime.Serialization;

namespace Nats.OrleansRoutes.Runtime.Invocation;

/// <summary>Creates grain proxies bound to this process's call invoker.</summary>
public sealed class GrainFactory(GrainTypeRegistry registry, IGrainCallInvoker invoker, GrainSerializer serializer,
    Microsoft.Extensions.Options.IOptions<RuntimeOptions> options) : IGrainFactory
{
    private static readonly MethodInfo Create = typeof(DispatchProxy).GetMethod(nameof(DispatchProxy.Create), 2, [])!;

    public TGrain GetGrain<TGrain>(string key) where TGrain : IGrainWithStringKey
    {
        GrainKeys.Validate(key);
        var info = registry.Get(typeof(TGrain));
        var proxy = (GrainProxy)Create.MakeGenericMethod(typeof(TGrain), typeof(GrainProxy)).Invoke(null, null)!;
        proxy.Bind(new GrainId(info.Name, key), info, invoker, serializer, options.Value.CallTimeout);
        return (TGrain)(object)proxy;
    }
}

/// <summary>Rules for grain keys: non-empty, printable, no braces (keys become Redis hash tags).</summary>
public static class GrainKeys
{
    public static void Validate(string key)
    {
        if (string.IsNullOrEmpty(key))
            throw new ArgumentException("A grain key must not be empty.", nameof(key));
        foreach (var c in key)
        {
            if (char.IsControl(c) || c is '{' or '}')
                throw new ArgumentException($"Grain key \"{key}\" contains '{(char.IsControl(c) ? $"\\u{(int)c:x4}" : c)}'; keys are printable and have no braces.", nameof(key));
        }
    }
}

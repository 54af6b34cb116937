using Nats.OrleansRoutes.Runtime.Identity;

namespace Nats.OrleansRoutes.Runtime.Grains;

/// <summary>Gives a proxy for any grain, anywhere: <c>GetGrain&lt;IClusterGrain&gt;("acme/prod")</c>.</summary>
public interface IGrainFactory
{
    TGrain GetGrain<TGrain>(string key) where TGrain : IGrainWithStringKey;
}

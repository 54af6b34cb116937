using Nats.OrleansRoutes.Runtime.Hosting;

namespace Nats.OrleansRoutes.Grains;

public static class GrainInterfaces
{
    /// <summary>The product's grain interfaces, for a process that calls grains (CLI, client library, gateway).</summary>
    public static GrainRuntimeBuilder AddNatsRoutesGrainInterfaces(this GrainRuntimeBuilder builder) => builder
        .AddGrainInterface<IClusterGrain>()
        .AddGrainInterface<IAccountGrain>()
        .AddGrainInterface<ITenantGrain>()
        .AddGrainInterface<ITenantRegistryGrain>()
        .AddGrainInterface<IGatewayDirectoryGrain>();
}

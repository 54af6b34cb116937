using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Nats.OrleansRoutes.Grains.Account;
using Nats.OrleansRoutes.Grains.Cluster;
using Nats.OrleansRoutes.Grains.Directory;
using Nats.OrleansRoutes.Grains.Security;
using Nats.OrleansRoutes.Grains.Tenant;
using Nats.OrleansRoutes.Runtime.Hosting;

namespace Nats.OrleansRoutes.Grains;

public static class GrainsServiceCollectionExtensions
{
    /// <summary>Every grain of the product, for a process that hosts a silo.</summary>
    public static GrainRuntimeBuilder AddNatsRoutesGrains(this GrainRuntimeBuilder builder, Action<GrainsOptions>? configure = null)
    {
        var options = builder.Services.AddOptions<GrainsOptions>();
        if (configure is not null)
            options.Configure(configure);
        options.ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<GrainsOptions>, GrainsOptionsValidator>();
        builder.Services.TryAddSingleton(sp => new SecretBox(sp.GetRequiredService<IOptions<GrainsOptions>>().Value.SecretsKey));
        return builder
            .AddGrain<IClusterGrain, ClusterGrain>()
            .AddGrain<IAccountGrain, AccountGrain>()
            .AddGrain<ITenantGrain, TenantGrain>()
            .AddGrain<ITenantRegistryGrain, TenantRegistryGrain>()
            .AddGrain<IGatewayDirectoryGrain, GatewayDirectoryGrain>();
    }
}

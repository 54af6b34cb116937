using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Nats.OrleansRoutes.Grains.Security;

namespace Nats.OrleansRoutes.Grains;

public static class GrainsServiceCollectionExtensions
{
    /// <summary>
    /// What the product's grains need in a silo: their options (validated at start-up), the secret
    /// box and a clock. The grains themselves are found by Orleans in this assembly; the storage
    /// provider named <see cref="GrainStorage.Name"/> is added by the host (Redis or memory).
    /// </summary>
    public static IServiceCollection AddNatsRoutesGrains(this IServiceCollection services, Action<GrainsOptions>? configure = null)
    {
        var options = services.AddOptions<GrainsOptions>();
        if (configure is not null)
            options.Configure(configure);
        options.ValidateOnStart();
        services.AddSingleton<IValidateOptions<GrainsOptions>, GrainsOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new SecretBox(sp.GetRequiredService<IOptions<GrainsOptions>>().Value.SecretsKey));
        return services;
    }
}

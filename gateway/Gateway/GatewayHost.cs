using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Nats.OrleansRoutes.Gateway.Diagnostics;
using Nats.OrleansRoutes.Gateway.Serving;

namespace Nats.OrleansRoutes.Gateway;

public static class GatewayServiceCollectionExtensions
{
    /// <summary>The gateway role. The process must also have the grain runtime (a client, or a silo in dev mode).</summary>
    public static IServiceCollection AddGateway(this IServiceCollection services, Action<GatewayOptions> configure)
    {
        services.AddOptions<GatewayOptions>().Configure(configure).ValidateOnStart();
        services.AddSingleton<IValidateOptions<GatewayOptions>, GatewayOptionsValidator>();
        services.TryAddSingleton<GatewayMetrics>();
        services.TryAddSingleton<Monitoring.PrometheusExporter>();
        services.TryAddSingleton<AuthFailureLimiter>();
        services.TryAddSingleton<HandshakeSlots>();
        // Opens the sealed passwords of the routes this gateway dials. In dev mode the silo in the
        // same process registered it first, with the same key.
        services.TryAddSingleton(sp => new Grains.Security.SecretBox(sp.GetRequiredService<IOptions<GatewayOptions>>().Value.SecretsKey));
        services.TryAddSingleton<GatewayService>();
        services.AddHostedService(sp => sp.GetRequiredService<GatewayService>());
        return services;
    }

    /// <summary>
    /// Times and counts every grain call of this client (metric <c>natsroutes.gateway.grain_call.duration</c>
    /// by call): the control-plane traffic the gateway causes. Not in dev mode, where the process is
    /// also the silo and would count the grains' own calls.
    /// </summary>
    public static Orleans.Hosting.IClientBuilder AddGatewayGrainCallMeter(this Orleans.Hosting.IClientBuilder client) =>
        Orleans.Hosting.ClientBuilderGrainCallFilterExtensions.AddOutgoingGrainCallFilter<GrainCallMeter>(client);
}

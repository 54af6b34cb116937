using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Nats.OrleansRoutes.Runtime.Activation;
using Nats.OrleansRoutes.Runtime.Client;
using Nats.OrleansRoutes.Runtime.Diagnostics;
using Nats.OrleansRoutes.Runtime.Events;
using Nats.OrleansRoutes.Runtime.Grains;
using Nats.OrleansRoutes.Runtime.Invocation;
using Nats.OrleansRoutes.Runtime.Membership;
using Nats.OrleansRoutes.Runtime.Redis;
using Nats.OrleansRoutes.Runtime.Serialization;
using Nats.OrleansRoutes.Runtime.Silo;
using Nats.OrleansRoutes.Runtime.Storage;

namespace Nats.OrleansRoutes.Runtime.Hosting;

/// <summary>Configures the grain runtime of a process: providers, grain types, and whether it hosts a silo.</summary>
public sealed class GrainRuntimeBuilder
{
    internal GrainRuntimeBuilder(IServiceCollection services)
    {
        Services = services;
        Registry = new GrainTypeRegistry();
    }

    public IServiceCollection Services { get; }

    public GrainTypeRegistry Registry { get; }

    /// <summary>Membership, storage and events in process memory: one process, nothing to install (dev mode).</summary>
    public GrainRuntimeBuilder UseInMemory()
    {
        Services.TryAddSingleton<IMembershipTable, InMemoryMembershipTable>();
        Services.TryAddSingleton<IGrainStorage, InMemoryGrainStorage>();
        Services.TryAddSingleton<IChangeEvents, InMemoryChangeEvents>();
        return this;
    }

    /// <summary>Membership, storage and events in Redis, shared by every process of the deployment.</summary>
    public GrainRuntimeBuilder UseRedis(Action<RedisOptions> configure)
    {
        Services.Configure(configure);
        Services.TryAddSingleton(sp => RedisConnection.Connect(
            sp.GetRequiredService<IOptions<RedisOptions>>(), sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<RedisConnection>>()));
        Services.TryAddSingleton<IMembershipTable, RedisMembershipTable>();
        Services.TryAddSingleton<IGrainStorage, RedisGrainStorage>();
        Services.TryAddSingleton<IChangeEvents, RedisChangeEvents>();
        return this;
    }

    /// <summary>A grain interface this process calls.</summary>
    public GrainRuntimeBuilder AddGrainInterface<TInterface>()
    {
        Registry.AddInterface<TInterface>();
        return this;
    }

    /// <summary>A grain this process's silo activates.</summary>
    public GrainRuntimeBuilder AddGrain<TInterface, TGrain>() where TGrain : Grain, TInterface
    {
        Registry.AddGrain<TInterface, TGrain>();
        return this;
    }

    /// <summary>Makes this process a silo: it joins membership and runs the grains it owns.</summary>
    public GrainRuntimeBuilder AddSilo()
    {
        Services.TryAddSingleton<SiloMembershipAgent>();
        Services.TryAddSingleton(sp => new ActivationDirectory(sp, sp.GetRequiredService<GrainTypeRegistry>(),
            sp.GetRequiredService<IGrainFactory>(), sp.GetRequiredService<IGrainStorage>(),
            sp.GetRequiredService<GrainSerializer>(), sp.GetRequiredService<TimeProvider>()));
        Services.TryAddSingleton(sp => new GrainDispatcher(sp.GetRequiredService<ActivationDirectory>(),
            sp.GetRequiredService<GrainTypeRegistry>(), sp.GetRequiredService<GrainSerializer>(),
            sp.GetRequiredService<IOptions<RuntimeOptions>>()));
        Services.TryAddSingleton(sp => new SiloRuntime(sp.GetRequiredService<MembershipService>(),
            sp.GetRequiredService<SiloMembershipAgent>(), sp.GetRequiredService<ActivationDirectory>(),
            sp.GetRequiredService<GrainDispatcher>(), sp.GetRequiredService<GrainClient>(),
            sp.GetRequiredService<IOptions<RuntimeOptions>>(), sp.GetRequiredService<RuntimeMetrics>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<SiloRuntime>>()));
        Services.AddHostedService<SiloHostedService>();
        return this;
    }
}

public static class GrainRuntimeServiceCollectionExtensions
{
    /// <summary>The parts every process needs: serializer, membership view, grain client and factory.</summary>
    public static GrainRuntimeBuilder AddGrainRuntime(this IServiceCollection services, Action<RuntimeOptions>? configure = null)
    {
        var builder = new GrainRuntimeBuilder(services);
        var options = services.AddOptions<RuntimeOptions>();
        if (configure is not null)
            options.Configure(configure);
        options.ValidateOnStart();
        services.AddSingleton<IValidateOptions<RuntimeOptions>, RuntimeOptionsValidator>();
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(builder.Registry);
        services.TryAddSingleton(sp => new GrainSerializer(sp.GetService<GrainSerializerOptions>()));
        services.TryAddSingleton<RuntimeMetrics>();
        services.TryAddSingleton<MembershipService>();
        services.TryAddSingleton<GrainClient>();
        services.TryAddSingleton<IGrainCallInvoker>(sp => sp.GetRequiredService<GrainClient>());
        services.TryAddSingleton<IGrainFactory, GrainFactory>();
        services.AddHostedService<MembershipHostedService>();
        return builder;
    }
}

/// <summary>Starts the membership view before anything makes grain calls (every process).</summary>
internal sealed class MembershipHostedService(MembershipService membership) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => membership.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Runs the silo inside a generic host: start joins membership, stop hands the grains over.</summary>
internal sealed class SiloHostedService(SiloRuntime silo) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => silo.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => silo.StopAsync(cancellationToken);
}

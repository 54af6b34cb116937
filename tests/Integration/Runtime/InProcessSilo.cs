using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Nats.OrleansRoutes.Runtime.Grains;
using Nats.OrleansRoutes.Runtime.Hosting;
using Nats.OrleansRoutes.Runtime.Membership;
using Nats.OrleansRoutes.Runtime.Silo;
using Nats.OrleansRoutes.Runtime.Storage;
using Nats.OrleansRoutes.TestGrains;

namespace Nats.OrleansRoutes.Tests.Integration.Runtime;

/// <summary>A silo inside the test process, hosting the test grains (real TCP listener, in-memory or given providers).</summary>
public sealed class InProcessSilo : IAsyncDisposable
{
    private readonly IHost _host;

    private InProcessSilo(IHost host) => _host = host;

    public IGrainFactory Factory => _host.Services.GetRequiredService<IGrainFactory>();

    public SiloRuntime Silo => _host.Services.GetRequiredService<SiloRuntime>();

    public static async Task<InProcessSilo> StartAsync(string name, IGrainStorage? storage = null, IMembershipTable? membership = null,
        Action<RuntimeOptions>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(new SiloIdentity(name));
        if (storage is not null)
            builder.Services.AddSingleton(storage);
        if (membership is not null)
            builder.Services.AddSingleton(membership);
        builder.Services.AddGrainRuntime(o =>
        {
            o.SiloPort = 0;
            configure?.Invoke(o);
        })
            .UseInMemory()
            .AddGrain<ICounterGrain, CounterGrain>()
            .AddSilo();
        var host = builder.Build();
        await host.StartAsync();
        return new InProcessSilo(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}

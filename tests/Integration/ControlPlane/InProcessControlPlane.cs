using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Nats.OrleansRoutes.Grains;
using Nats.OrleansRoutes.Runtime.Grains;
using Nats.OrleansRoutes.Runtime.Storage;
using Nats.OrleansRoutes.Silo;

namespace Nats.OrleansRoutes.Tests.Integration.ControlPlane;

/// <summary>The real grains on one in-memory silo inside the test process, with short leases.</summary>
public sealed class InProcessControlPlane : IAsyncDisposable
{
    private readonly IHost _host;

    private InProcessControlPlane(IHost host) => _host = host;

    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    public IGrainStorage Storage => _host.Services.GetRequiredService<IGrainStorage>();

    public static async Task<InProcessControlPlane> StartAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        SiloHost.AddSilo(builder.Services, new SiloHostOptions { Port = 0 });
        builder.Services.Configure<GrainsOptions>(o =>
        {
            o.LeaseDuration = TimeSpan.FromSeconds(1);
            o.GatewayTimeout = TimeSpan.FromSeconds(1);
            o.Pbkdf2Iterations = 10_000;
        });
        var host = builder.Build();
        await host.StartAsync();
        return new InProcessControlPlane(host);
    }

    public IClusterGrain Cluster(string key) => Grains.GetGrain<IClusterGrain>(key);

    public IGatewayDirectoryGrain Directory => Grains.GetGrain<IGatewayDirectoryGrain>(IGatewayDirectoryGrain.Key);

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}

using Microsoft.Extensions.Logging;
using Nats.OrleansRoutes.Client;
using Nats.OrleansRoutes.Grains;
using Orleans.Serialization;
using Orleans.TestingHost;

namespace Nats.OrleansRoutes.Tests.Integration.ControlPlane;

/// <summary>
/// The real grains on Orleans.TestingHost silos inside the test process, with short leases: memory
/// storage by default, or the Orleans Redis storage provider on a real redis-server.
/// </summary>
public sealed class InProcessControlPlane : IAsyncDisposable
{
    private readonly InProcessTestCluster _cluster;

    private InProcessControlPlane(InProcessTestCluster cluster) => _cluster = cluster;

    public IGrainFactory Grains => _cluster.Client;

    /// <summary>
    /// Starts <paramref name="silos"/> silos. With <paramref name="redis"/>, grain state lives there under
    /// <paramref name="serviceId"/>: two planes with one service id and one Redis are two clusters
    /// sharing state, which is how duplicate activations arise.
    /// </summary>
    public static async Task<InProcessControlPlane> StartAsync(short silos = 1, RedisSettings? redis = null, string? serviceId = null)
    {
        var builder = new InProcessTestClusterBuilder(silos);
        if (serviceId is not null)
            builder.Options.ServiceId = serviceId;
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddSerializer(s => s.AddNatsRoutesContracts());
            if (redis is null)
            {
                silo.AddMemoryGrainStorage(GrainStorage.Name);
            }
            else
            {
                silo.AddRedisGrainStorage(GrainStorage.Name, o =>
                {
                    o.ConfigurationOptions = redis.ToConfigurationOptions();
                    o.GrainStorageSerializer = new JsonGrainStateSerializer();
                });
            }
            silo.Services.AddNatsRoutesGrains(o =>
            {
                o.LeaseDuration = TimeSpan.FromSeconds(1);
                o.GatewayTimeout = TimeSpan.FromSeconds(1);
                o.Pbkdf2Iterations = 10_000;
            });
        });
        builder.ConfigureSiloHost((_, host) => host.Logging.ClearProviders());
        builder.ConfigureClientHost(host => host.Logging.ClearProviders());
        builder.ConfigureClient(client => client.Services.AddSerializer(s => s.AddNatsRoutesContracts()));
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new InProcessControlPlane(cluster);
    }

    public IClusterGrain Cluster(string key) => Grains.GetGrain<IClusterGrain>(key);

    public IGatewayDirectoryGrain Directory => Grains.GetGrain<IGatewayDirectoryGrain>(IGatewayDirectoryGrain.Key);

    public async ValueTask DisposeAsync()
    {
        await _cluster.StopAllSilosAsync();
        await _cluster.DisposeAsync();
    }
}

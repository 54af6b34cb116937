using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Nats.OrleansRoutes.Grains;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Serialization;

namespace Nats.OrleansRoutes.Silo;

/// <summary>
/// Builds a silo process: Orleans with the product's grains (Redis clustering and storage in a
/// deployment; localhost clustering and memory storage in dev mode), plus HTTP health endpoints
/// and, when asked, the Orleans Dashboard on a port of its own.
/// </summary>
public static class SiloHost
{
    public static WebApplication Build(SiloHostOptions options, Action<WebApplicationBuilder>? configure = null)
    {
        options = WithFreePorts(options);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        // Orleans logs every connection attempt and membership step, and its placement pipeline
        // (Polly) every placement, at Information; keep warnings.
        builder.Logging.AddFilter("Orleans", LogLevel.Warning);
        builder.Logging.AddFilter("Polly", LogLevel.Warning);
        var address = IPAddress.Parse(options.Host);
        builder.WebHost.UseKestrel(k =>
        {
            k.Listen(address, options.HealthPort);
            if (options.DashboardPort is { } dashboard)
                k.Listen(address, dashboard);
        });
        builder.UseOrleans(silo => ConfigureSilo(silo, options));
        builder.Services.AddSingleton(options);
        builder.Services.AddNatsRoutesGrains(g => g.SecretsKey = options.SecretsKey);
        configure?.Invoke(builder);
        var app = builder.Build();
        MapHealth(app);
        if (options.DashboardPort is { } port)
            app.MapGroup("").RequireHost($"*:{port}").MapOrleansDashboard("/");
        return app;
    }

    /// <summary>Orleans: clustering, storage, endpoints, contract serialization, membership timing.</summary>
    public static void ConfigureSilo(ISiloBuilder silo, SiloHostOptions options)
    {
        silo.Services.AddSerializer(s => s.AddNatsRoutesContracts());
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = options.KeyPrefix;
            o.ServiceId = options.KeyPrefix;
        });
        if (options.Redis is { } redis)
        {
            silo.UseRedisClustering(o => o.ConfigurationOptions = redis.ToConfigurationOptions());
            silo.AddRedisGrainStorage(GrainStorage.Name, o =>
            {
                o.ConfigurationOptions = redis.ToConfigurationOptions();
                o.GrainStorageSerializer = new JsonGrainStateSerializer();
            });
            silo.ConfigureEndpoints(IPAddress.Parse(options.Host), options.Port, options.GatewayPort, listenOnAnyHostAddress: false);
        }
        else
        {
            silo.UseLocalhostClustering(options.Port, options.GatewayPort, serviceId: options.KeyPrefix, clusterId: options.KeyPrefix);
            silo.AddMemoryGrainStorage(GrainStorage.Name);
        }
        if (options.DeadAfter is { } deadAfter)
        {
            // Three missed probes, each allowed a third of the silence, declare a silo dead.
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = deadAfter / 3;
                o.NumMissedProbesLimit = 3;
                o.TableRefreshTimeout = deadAfter / 3;
                o.IAmAliveTablePublishTimeout = deadAfter;
            });
        }
        if (options.Tls is { } tls)
            silo.UseTls(tls.LoadCertificate(), tls.Configure);
        if (options.DashboardPort is not null)
            silo.AddDashboard();
    }

    /// <summary>/healthz: the process runs. /readyz: the silo is an active member. /status: where it is and who else is.</summary>
    public static void MapHealth(WebApplication app)
    {
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/readyz", (ILocalSiloDetails local, IClusterMembershipService membership) =>
            membership.CurrentSnapshot.GetSiloStatus(local.SiloAddress) == SiloStatus.Active
                ? Results.Text("ready\n")
                : Results.Text("not an active member yet\n", statusCode: StatusCodes.Status503ServiceUnavailable));
        app.MapGet("/status", (ILocalSiloDetails local, IClusterMembershipService membership) =>
        {
            var snapshot = membership.CurrentSnapshot;
            return Results.Json(new SiloStatusView(local.SiloAddress.ToString(), local.SiloAddress.Endpoint.ToString(),
                local.GatewayAddress?.Endpoint.ToString(), snapshot.Version.Value,
                [.. snapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress.ToString())]));
        });
    }

    /// <summary>The HTTP address actually bound (the health port may have been 0).</summary>
    public static string HealthUrl(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "(none)";

    /// <summary>Orleans announces its ports in membership, so "any free port" is chosen before it starts.</summary>
    private static SiloHostOptions WithFreePorts(SiloHostOptions options) => options with
    {
        Port = options.Port == 0 ? FreePort(options.Host) : options.Port,
        GatewayPort = options.GatewayPort == 0 ? FreePort(options.Host) : options.GatewayPort,
        DashboardPort = options.DashboardPort == 0 ? FreePort(options.Host) : options.DashboardPort,
    };

    private static int FreePort(string host)
    {
        using var listener = new TcpListener(IPAddress.Parse(host), 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>What /status shows: this silo, its client gateway and the active members.</summary>
public sealed record SiloStatusView(string Silo, string Endpoint, string? Gateway, long MembershipVersion, IReadOnlyList<string> ActiveSilos);

using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Nats.OrleansRoutes.Grains;
using Nats.OrleansRoutes.Runtime.Hosting;
using Nats.OrleansRoutes.Runtime.Membership;
using Nats.OrleansRoutes.Runtime.Silo;

namespace Nats.OrleansRoutes.Silo;

/// <summary>Builds a silo process: the grain runtime and grains, plus HTTP health endpoints.</summary>
public static class SiloHost
{
    public static WebApplication Build(SiloHostOptions options, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Parse(options.Host), options.HealthPort));
        AddSilo(builder.Services, options);
        configure?.Invoke(builder);
        var app = builder.Build();
        MapHealth(app);
        return app;
    }

    /// <summary>The runtime (Redis or in memory), every grain, and the silo role.</summary>
    public static GrainRuntimeBuilder AddSilo(IServiceCollection services, SiloHostOptions options)
    {
        var runtime = services.AddGrainRuntime(o =>
        {
            o.SiloHost = options.Host;
            o.SiloPort = options.Port;
            o.KeyPrefix = options.KeyPrefix;
            if (options.DeadAfter is { } deadAfter)
            {
                o.DeadAfter = deadAfter;
                o.HeartbeatInterval = deadAfter / 6;
                o.RefreshInterval = deadAfter / 4;
            }
        });
        if (options.Redis is { } redis)
            runtime.UseRedis(r => r.Endpoint = redis);
        else
            runtime.UseInMemory();
        return runtime.AddNatsRoutesGrains(g => g.SecretsKey = options.SecretsKey).AddSilo();
    }

    /// <summary>/healthz: the process runs. /readyz: it serves grain calls. /status: what it holds.</summary>
    public static void MapHealth(WebApplication app)
    {
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/readyz", (SiloRuntime silo, MembershipService membership) =>
            membership.Current.Active.Any(s => s.SiloId == silo.SiloId)
                ? Results.Text("ready\n")
                : Results.Text("not an active member yet\n", statusCode: StatusCodes.Status503ServiceUnavailable));
        app.MapGet("/status", (SiloRuntime silo, MembershipService membership) => Results.Json(new SiloStatusView(
            silo.SiloId, silo.Endpoint, silo.ActivationCount, membership.Current.Version,
            [.. membership.Current.Active.Select(s => s.SiloId)])));
    }

    /// <summary>The HTTP address actually bound (the health port may have been 0).</summary>
    public static string HealthUrl(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "(none)";
}

public sealed record SiloStatusView(string SiloId, string Endpoint, int Activations, long MembershipVersion, IReadOnlyList<string> ActiveSilos);

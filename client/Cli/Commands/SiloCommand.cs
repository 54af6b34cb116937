using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Nats.OrleansRoutes.Silo;

namespace Nats.OrleansRoutes.Cli.Commands;

/// <summary><c>natsroutes silo</c>: one silo of a deployment, sharing Redis with the others.</summary>
internal static class SiloCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "Silo-to-silo port (0: any free port).", DefaultValueFactory = _ => 11111 };
        var gatewayPort = new Option<int>("--gateway-port") { Description = "Port where clients and gateways call grains (0: any free port).", DefaultValueFactory = _ => 30000 };
        var dashboardPort = new Option<int?>("--dashboard-port") { Description = "Serve the Orleans Dashboard on this HTTP port (0: any free port); off unless given." };
        var host = new Option<string>("--host") { Description = "Address to listen on and announce.", DefaultValueFactory = _ => "127.0.0.1" };
        var healthPort = new Option<int>("--health-port") { Description = "HTTP port of /healthz, /readyz, /status (0: any free port).", DefaultValueFactory = _ => 0 };
        var keyFile = new Option<string?>("--secrets-key-file") { Description = $"File with the secrets key (default: ${SecretsKey.Variable})." };
        var deadAfter = new Option<string?>("--dead-after") { Description = "Silence after which the other silos declare a silo dead (Go duration; default: Orleans', 3 probes of 5 s)." };
        var command = new Command("silo", "Run a silo: hosts the grains (Orleans) and joins the deployment's membership in Redis.")
        {
            port, gatewayPort, host, healthPort, dashboardPort, keyFile, deadAfter,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            try
            {
                var options = new SiloHostOptions
                {
                    Redis = ServiceOptions.RequireRedis(parse, "silo"),
                    Tls = ServiceOptions.ResolveTls(parse),
                    Host = parse.GetValue(host)!,
                    Port = parse.GetValue(port),
                    GatewayPort = parse.GetValue(gatewayPort),
                    HealthPort = parse.GetValue(healthPort),
                    DashboardPort = parse.GetValue(dashboardPort),
                    KeyPrefix = parse.GetValue(ServiceOptions.Prefix)!,
                    SecretsKey = SecretsKey.Resolve(parse.GetValue(keyFile), required: true),
                    DeadAfter = Durations.Optional(parse.GetValue(deadAfter), "--dead-after"),
                };
                return await RunAsync(options, cancellation);
            }
            catch (UsageException e)
            {
                Console.Error.WriteLine($"natsroutes silo: {e.Message}");
                return 2;
            }
        });
        return command;
    }

    /// <summary>", dashboard on URL" when the silo serves the Orleans Dashboard.</summary>
    public static string DashboardText(WebApplication app) =>
        app.Services.GetRequiredService<SiloHostOptions>().DashboardPort is { } port
            ? $", dashboard on http://{app.Services.GetRequiredService<SiloHostOptions>().Host}:{port}/"
            : "";

    public static async Task<int> RunAsync(SiloHostOptions options, CancellationToken cancellation)
    {
        await using var app = SiloHost.Build(options);
        try
        {
            await app.StartAsync(cancellation);
        }
        catch (OptionsValidationException e)
        {
            Console.Error.WriteLine($"natsroutes silo: invalid settings: {string.Join("; ", e.Failures)}");
            return 2;
        }
        var silo = app.Services.GetRequiredService<ILocalSiloDetails>();
        Console.WriteLine($"silo {silo.SiloAddress} ready: grain calls on {silo.GatewayAddress?.Endpoint}, silo port {silo.SiloAddress.Endpoint.Port}, "
            + $"health on {SiloHost.HealthUrl(app)}{DashboardText(app)}");
        await app.WaitForShutdownAsync(cancellation);
        return 0;
    }
}

/// <summary>Turns Go durations from the command line into time spans.</summary>
internal static class Durations
{
    public static TimeSpan? Optional(string? text, string option)
    {
        if (text is null)
            return null;
        return Config.Go.GoDuration.TryParse(text, out var value, out var error) ? value : throw new UsageException($"{option} {text}: {error}");
    }
}

using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Nats.OrleansRoutes.Runtime.Silo;
using Nats.OrleansRoutes.Silo;

namespace Nats.OrleansRoutes.Cli.Commands;

/// <summary><c>natsroutes silo</c>: one silo of a deployment, sharing Redis with the others.</summary>
internal static class SiloCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "Grain call port (0: any free port).", DefaultValueFactory = _ => 11111 };
        var host = new Option<string>("--host") { Description = "Address to listen on and announce.", DefaultValueFactory = _ => "127.0.0.1" };
        var healthPort = new Option<int>("--health-port") { Description = "HTTP port of /healthz, /readyz, /status (0: any free port).", DefaultValueFactory = _ => 0 };
        var keyFile = new Option<string?>("--secrets-key-file") { Description = $"File with the secrets key (default: ${SecretsKey.Variable})." };
        var deadAfter = new Option<string?>("--dead-after") { Description = "Silence after which a silo is declared dead (Go duration; default 10s)." };
        var command = new Command("silo", "Run a silo: hosts the grains and joins the deployment's membership in Redis.")
        {
            port, host, healthPort, keyFile, deadAfter,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            try
            {
                var redis = parse.GetValue(ServiceOptions.Redis) ?? Environment.GetEnvironmentVariable("NATSROUTES_REDIS")
                    ?? throw new UsageException("a silo needs the deployment's Redis: --redis HOST:PORT (or NATSROUTES_REDIS); for one process without Redis use ./natsroutes dev");
                var options = new SiloHostOptions
                {
                    Redis = redis,
                    Host = parse.GetValue(host)!,
                    Port = parse.GetValue(port),
                    HealthPort = parse.GetValue(healthPort),
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
        var silo = app.Services.GetRequiredService<SiloRuntime>();
        Console.WriteLine($"silo {silo.SiloId} ready: grain calls on {silo.Endpoint}, health on {SiloHost.HealthUrl(app)}");
        await app.WaitForShutdownAsync(cancellation);
        return 0;
    }
}

internal static class Durations
{
    public static TimeSpan? Optional(string? text, string option)
    {
        if (text is null)
            return null;
        return Config.Go.GoDuration.TryParse(text, out var value, out var error) ? value : throw new UsageException($"{option} {text}: {error}");
    }
}

using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Nats.OrleansRoutes.Gateway;
using Nats.OrleansRoutes.Gateway.Monitoring;
using Nats.OrleansRoutes.Silo;

namespace Nats.OrleansRoutes.Cli.Commands;

/// <summary>
/// <c>natsroutes dev</c>: the embedded default. One process runs a silo and a gateway with
/// everything in memory (or on a Redis given with --redis); other natsroutes commands find it on
/// their own. <c>--demo</c> also creates a demo cluster and starts three real nats-servers on it.
/// </summary>
internal static class DevCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "Port where clients call grains (0: any free port).", DefaultValueFactory = _ => 0 };
        var gatewayHost = new Option<string>("--gateway-host") { Description = "Address of the route endpoints.", DefaultValueFactory = _ => "127.0.0.1" };
        var gatewayPorts = new Option<string>("--gateway-ports") { Description = "Route port range, FROM-TO.", DefaultValueFactory = _ => "24200-24299" };
        var demo = new Option<bool>("--demo") { Description = "Also create a demo cluster and start three nats-servers (2.9.10, 2.10.27, 2.15.1) routed through the gateway." };
        var command = new Command("dev", "Run the service in one process (silo and gateway), in memory: no Redis needed. Ctrl+C stops everything it started.")
        {
            port, gatewayHost, gatewayPorts, demo,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            try
            {
                if (ServiceOptions.ResolveTls(parse) is not null)
                    throw new UsageException("dev runs everything in one process without management-plane TLS; --mtls-* are for silo, gateway and client commands");
                var (from, to) = GatewayCommand.PortRange(parse.GetValue(gatewayPorts)!);
                var options = new SiloHostOptions
                {
                    Redis = ServiceOptions.ResolveRedis(parse),
                    Port = 0,
                    GatewayPort = parse.GetValue(port),
                    HealthPort = 0,
                    KeyPrefix = parse.GetValue(ServiceOptions.Prefix)!,
                    SecretsKey = Environment.GetEnvironmentVariable(SecretsKey.Variable) ?? "",
                };
                await using var app = SiloHost.Build(options, builder => builder.Services.AddGateway(o =>
                {
                    o.Id = "dev";
                    o.Host = parse.GetValue(gatewayHost)!;
                    o.PortFrom = from;
                    o.PortTo = to;
                }));
                app.MapGatewayMonitoring(withHealth: false);
                var run = GatewayCommand.RunAsync(app, "natsroutes dev", cancellation);
                var started = app.Services.GetRequiredService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>().ApplicationStarted;
                while (!started.IsCancellationRequested && !run.IsCompleted)
                    await Task.Delay(50, cancellation);
                if (run.IsCompleted)
                    return await run;
                var silo = app.Services.GetRequiredService<ILocalSiloDetails>();
                var endpoint = silo.GatewayAddress!.Endpoint.ToString();
                DevInstance.Write(new DevInstance.Record(endpoint, Environment.ProcessId, options.KeyPrefix, SiloHost.HealthUrl(app)));
                try
                {
                    Console.WriteLine($"natsroutes dev: running ({(options.Redis is null ? "in memory" : $"Redis at {options.Redis}")}); silo {endpoint}");
                    await using var demoServers = parse.GetValue(demo) ? await DevDemo.StartAsync(endpoint, options.KeyPrefix, cancellation) : null;
                    if (demoServers is null)
                    {
                        Console.WriteLine("  Other commands in another terminal find this instance by themselves, e.g.:");
                        Console.WriteLine("    ./natsroutes cluster import acme/dev docs/examples/cluster-example.conf");
                        Console.WriteLine("    ./natsroutes cluster member-config acme/dev --server s1 --listen 127.0.0.1:6222");
                    }
                    Console.WriteLine("  Ctrl+C stops everything this command started.");
                    return await run;
                }
                finally
                {
                    DevInstance.Remove();
                }
            }
            catch (UsageException e)
            {
                Console.Error.WriteLine($"natsroutes dev: {e.Message}");
                return 2;
            }
        });
        return command;
    }
}

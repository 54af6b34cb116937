using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Nats.OrleansRoutes.Gateway;
using Nats.OrleansRoutes.Gateway.Monitoring;
using Nats.OrleansRoutes.Runtime.Silo;
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
        var port = new Option<int>("--port") { Description = "Grain call port (0: any free port).", DefaultValueFactory = _ => 0 };
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
                var (from, to) = GatewayCommand.PortRange(parse.GetValue(gatewayPorts)!);
                var options = new SiloHostOptions
                {
                    Redis = parse.GetValue(ServiceOptions.Redis),
                    Port = parse.GetValue(port),
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
                var silo = app.Services.GetRequiredService<SiloRuntime>();
                await WaitStartedAsync(silo, run);
                if (run.IsCompleted)
                    return await run;
                DevInstance.Write(new DevInstance.Record(silo.Endpoint, Environment.ProcessId, SiloHost.HealthUrl(app)));
                try
                {
                    Console.WriteLine($"natsroutes dev: running ({(options.Redis is null ? "in memory" : $"Redis at {options.Redis}")}); silo {silo.Endpoint}");
                    await using var demoServers = parse.GetValue(demo) ? await DevDemo.StartAsync(silo.Endpoint, cancellation) : null;
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

    private static async Task WaitStartedAsync(SiloRuntime silo, Task run)
    {
        while (silo.SiloId == "(not joined)" && !run.IsCompleted)
            await Task.Delay(50);
    }
}

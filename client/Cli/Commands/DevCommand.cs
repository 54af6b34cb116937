using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Nats.OrleansRoutes.Runtime.Silo;
using Nats.OrleansRoutes.Silo;

namespace Nats.OrleansRoutes.Cli.Commands;

/// <summary>
/// <c>natsroutes dev</c>: the embedded default. One process runs the service with everything in
/// memory (or on a Redis given with --redis); other natsroutes commands find it on their own.
/// </summary>
internal static class DevCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "Grain call port (0: any free port).", DefaultValueFactory = _ => 0 };
        var command = new Command("dev", "Run the service in one process, in memory (no Redis needed); Ctrl+C stops it.") { port };
        command.SetAction(async (parse, cancellation) =>
        {
            var redis = parse.GetValue(ServiceOptions.Redis);
            var options = new SiloHostOptions
            {
                Redis = redis,
                Port = parse.GetValue(port),
                HealthPort = 0,
                KeyPrefix = parse.GetValue(ServiceOptions.Prefix)!,
                SecretsKey = Environment.GetEnvironmentVariable(SecretsKey.Variable) ?? "",
            };
            await using var app = SiloHost.Build(options);
            try
            {
                await app.StartAsync(cancellation);
            }
            catch (OptionsValidationException e)
            {
                Console.Error.WriteLine($"natsroutes dev: invalid settings: {string.Join("; ", e.Failures)}");
                return 2;
            }
            var silo = app.Services.GetRequiredService<SiloRuntime>();
            DevInstance.Write(new DevInstance.Record(silo.Endpoint, Environment.ProcessId));
            try
            {
                Console.WriteLine($"natsroutes dev: running ({(redis is null ? "in memory" : $"Redis at {redis}")}); silo {silo.Endpoint}, health {SiloHost.HealthUrl(app)}");
                Console.WriteLine("  Other commands in another terminal find this instance by themselves, e.g.:");
                Console.WriteLine("    ./natsroutes cluster import acme/dev docs/examples/cluster-example.conf");
                Console.WriteLine("    ./natsroutes cluster list");
                Console.WriteLine("  Ctrl+C stops everything this command started.");
                await app.WaitForShutdownAsync(cancellation);
            }
            finally
            {
                DevInstance.Remove();
            }
            return 0;
        });
        return command;
    }
}

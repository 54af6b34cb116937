using System.CommandLine;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nats.OrleansRoutes.Gateway;
using Nats.OrleansRoutes.Gateway.Monitoring;
using Nats.OrleansRoutes.Gateway.Serving;
using Nats.OrleansRoutes.Client;
using Nats.OrleansRoutes.Silo;

namespace Nats.OrleansRoutes.Cli.Commands;

/// <summary><c>natsroutes gateway</c>: serves the route endpoints of the clusters placed on it.</summary>
internal static class GatewayCommand
{
    public static Command Create()
    {
        var id = new Option<string>("--id") { Description = "This gateway's name in the directory.", Required = true };
        var host = new Option<string>("--host") { Description = "Address the route endpoints listen on (what members dial).", DefaultValueFactory = _ => "127.0.0.1" };
        var advertise = new Option<string?>("--advertise") { Description = "Address members dial when it is not --host (NAT, load balancer, DNS name): a DNS name or IP, no port." };
        var group = new Option<string>("--group")
        {
            Description = "Failover group: gateways of one group share --ports and take over each other's clusters; each group serves a range's worth of clusters.",
            DefaultValueFactory = _ => Grains.GatewayRegistration.DefaultGroup,
        };
        var ports = new Option<string>("--ports") { Description = "Route port range, FROM-TO.", DefaultValueFactory = _ => "24200-24299" };
        var monitor = new Option<int>("--monitor-port") { Description = "HTTP port of /healthz, /readyz, /routez (0: any free port).", DefaultValueFactory = _ => 0 };
        var keyFile = new Option<string?>("--secrets-key-file") { Description = $"File with the secrets key (default: ${SecretsKey.Variable})." };
        var maxPending = new Option<string>("--max-pending")
        {
            Description = "Outbound bytes a member may leave unread before it is disconnected as a slow consumer (K, M, G suffixes).",
            DefaultValueFactory = _ => "64M",
        };
        var pingInterval = new Option<string>("--ping-interval")
        {
            Description = "How often each route connection of a cluster whose spec sets no ping_interval is pinged; 2 unanswered PINGs close it, as in nats-server (a Go duration).",
            DefaultValueFactory = _ => Config.Go.GoDuration.Format(new GatewayOptions().PingInterval),
        };
        var maxHandshakes = new Option<int>("--max-handshakes")
        {
            Description = "Connections still in their handshake, gateway-wide; more wait, unanswered, for one to finish.",
            DefaultValueFactory = _ => 1024,
        };
        var command = new Command("gateway", "Run a gateway: serves the route endpoints of the clusters placed on it and relays their traffic.")
        {
            id, host, advertise, group, ports, monitor, keyFile, maxPending, pingInterval, maxHandshakes,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            // First: the runtime reads this switch when the process makes its first socket.
            InlineSocketCompletions.PreferUnlessSet();
            try
            {
                var redis = ServiceOptions.RequireRedis(parse, "gateway");
                var tls = ServiceOptions.ResolveTls(parse);
                var (from, to) = PortRange(parse.GetValue(ports)!);
                var pendingLimit = ByteSize.Parse("--max-pending", parse.GetValue(maxPending)!);
                var pingText = parse.GetValue(pingInterval)!;
                if (!Config.Go.GoDuration.TryParse(pingText, out var ping, out var pingError) || ping <= TimeSpan.Zero)
                    throw new UsageException($"--ping-interval \"{pingText}\": {pingError ?? "must be positive"}");
                var secretsKey = SecretsKey.Resolve(parse.GetValue(keyFile), required: true);
                var builder = WebApplication.CreateSlimBuilder();
                ConfigureLogging(builder);
                if (!IPAddress.TryParse(parse.GetValue(host)!.Trim('[', ']'), out var listen))
                    throw new UsageException($"--host \"{parse.GetValue(host)}\" is not an IP address (e.g. 127.0.0.1, ::1 or 0.0.0.0)");
                builder.WebHost.UseKestrel(k => k.Listen(listen, parse.GetValue(monitor)));
                builder.UseOrleansClient(client => client.UseNatsRoutesService(
                    new NatsRoutesClientOptions { Redis = redis, KeyPrefix = parse.GetValue(ServiceOptions.Prefix)!, Tls = tls }, waitForSilos: true)
                    .AddGatewayGrainCallMeter());
                builder.Services.AddGateway(o =>
                {
                    o.Id = parse.GetValue(id)!;
                    o.Host = parse.GetValue(host)!;
                    o.Advertise = parse.GetValue(advertise);
                    o.Group = parse.GetValue(group)!;
                    o.PortFrom = from;
                    o.PortTo = to;
                    o.MonitorPort = parse.GetValue(monitor);
                    o.MaxPendingBytes = pendingLimit;
                    o.PingInterval = ping;
                    o.MaxHandshakes = parse.GetValue(maxHandshakes);
                    o.SecretsKey = secretsKey;
                });
                await using var app = builder.Build();
                app.MapGatewayMonitoring();
                return await RunAsync(app, "natsroutes gateway", cancellation);
            }
            catch (UsageException e)
            {
                Console.Error.WriteLine($"natsroutes gateway: {e.Message}");
                return 2;
            }
        });
        return command;
    }

    /// <summary>Starts a host that has a gateway, reports where it is, and runs until Ctrl+C or SIGTERM.</summary>
    public static async Task<int> RunAsync(WebApplication app, string name, CancellationToken cancellation)
    {
        try
        {
            await app.StartAsync(cancellation);
        }
        catch (OptionsValidationException e)
        {
            Console.Error.WriteLine($"{name}: invalid settings: {string.Join("; ", e.Failures)}");
            return 2;
        }
        var gateway = app.Services.GetRequiredService<GatewayService>();
        var url = SiloHost.HealthUrl(app);
        gateway.MonitorUrl = url;
        Console.WriteLine($"gateway {gateway.Identity.GatewayId} ready: monitoring on {url}/routez");
        await app.WaitForShutdownAsync(cancellation);
        return 0;
    }

    public static (int From, int To) PortRange(string text)
    {
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash > 0 && int.TryParse(text.AsSpan(0, dash), System.Globalization.CultureInfo.InvariantCulture, out var from)
            && int.TryParse(text.AsSpan(dash + 1), System.Globalization.CultureInfo.InvariantCulture, out var to) && from <= to)
            return (from, to);
        throw new UsageException($"--ports \"{text}\" is not a port range FROM-TO (e.g. 24200-24299)");
    }

    public static void ConfigureLogging(WebApplicationBuilder builder)
    {
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        // The Orleans client logs every connection step at Information; keep warnings.
        builder.Logging.AddFilter("Orleans", LogLevel.Warning);
        builder.Logging.AddFilter("Polly", LogLevel.Warning);
    }
}

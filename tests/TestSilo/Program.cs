using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Nats.OrleansRoutes.Runtime.Hosting;
using Nats.OrleansRoutes.Runtime.Silo;
using Nats.OrleansRoutes.TestGrains;

string Arg(string name, string fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
}

var builder = Host.CreateApplicationBuilder();
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
builder.Logging.SetMinimumLevel(LogLevel.Information);
builder.Services.AddSingleton(new SiloIdentity(Arg("--name", "silo")));
builder.Services.AddGrainRuntime(o =>
{
    o.SiloPort = int.Parse(Arg("--port", "0"), System.Globalization.CultureInfo.InvariantCulture);
    var deadAfter = int.Parse(Arg("--dead-after-ms", "3000"), System.Globalization.CultureInfo.InvariantCulture);
    o.DeadAfter = TimeSpan.FromMilliseconds(deadAfter);
    o.HeartbeatInterval = TimeSpan.FromMilliseconds(Math.Max(100, deadAfter / 6));
    o.RefreshInterval = TimeSpan.FromMilliseconds(500);
    o.KeyPrefix = Arg("--prefix", "natsroutes");
})
    .UseRedis(r => r.Endpoint = Arg("--redis", "127.0.0.1:6379"))
    .AddGrain<ICounterGrain, CounterGrain>()
    .AddSilo();
using var host = builder.Build();
await host.StartAsync();
Console.WriteLine($"READY {host.Services.GetRequiredService<SiloRuntime>().SiloId}");
await host.WaitForShutdownAsync();

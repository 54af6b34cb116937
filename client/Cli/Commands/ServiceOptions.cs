using System.CommandLine;

namespace Nats.OrleansRoutes.Cli.Commands;

/// <summary>Options every service command takes: where the service is.</summary>
internal static class ServiceOptions
{
    public static readonly Option<string?> Redis = new("--redis")
    {
        Description = "host:port of the deployment's Redis (default: $NATSROUTES_REDIS, else the local `natsroutes dev`).",
        Recursive = true,
    };

    public static readonly Option<string> Prefix = new("--prefix")
    {
        Description = "Key prefix of the deployment in Redis.",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("NATSROUTES_PREFIX") ?? "natsroutes",
        Recursive = true,
    };

    public static readonly Option<bool> Json = new("--json") { Description = "Print JSON for scripts instead of a table." };
}

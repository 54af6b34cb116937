using System.CommandLine;
using Nats.OrleansRoutes.Client;

namespace Nats.OrleansRoutes.Cli.Commands;

/// <summary>Options every service command takes: where the service is.</summary>
internal static class ServiceOptions
{
    public const string RedisVariable = "NATSROUTES_REDIS";
    public const string RedisPasswordVariable = "NATSROUTES_REDIS_PASSWORD";

    public static readonly Option<string?> Redis = new("--redis")
    {
        Description = "The deployment's Redis: HOST:PORT, or a StackExchange.Redis configuration such as "
            + "\"HOST:6380,ssl=true,user=NAME\" (default: $NATSROUTES_REDIS, else the local `natsroutes dev`).",
        Recursive = true,
    };

    public static readonly Option<string?> RedisPasswordFile = new("--redis-password-file")
    {
        Description = "File with the Redis password or access key (default: $NATSROUTES_REDIS_PASSWORD); never printed.",
        Recursive = true,
    };

    public static readonly Option<string> Prefix = new("--prefix")
    {
        Description = "The deployment's name: Orleans' cluster and service id and the prefix of its keys in Redis.",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("NATSROUTES_PREFIX") ?? "natsroutes",
        Recursive = true,
    };

    public static readonly Option<string?> MtlsCert = new("--mtls-cert")
    {
        Description = "Management-plane mutual TLS: this process's certificate (PEM), issued by the deployment CA (default: $NATSROUTES_MTLS_CERT).",
        Recursive = true,
    };

    public static readonly Option<string?> MtlsKey = new("--mtls-key")
    {
        Description = "The key of --mtls-cert (PEM; default: $NATSROUTES_MTLS_KEY).",
        Recursive = true,
    };

    public static readonly Option<string?> MtlsCa = new("--mtls-ca")
    {
        Description = "The deployment CA (PEM): silos, gateways and clients accept only peers it issued (default: $NATSROUTES_MTLS_CA).",
        Recursive = true,
    };

    public static readonly Option<bool> Json = new("--json") { Description = "Print JSON for scripts instead of a table." };

    /// <summary>The Redis the command line or environment names, or null when neither does.</summary>
    public static RedisSettings? ResolveRedis(ParseResult parse)
    {
        var configuration = parse.GetValue(Redis) ?? Environment.GetEnvironmentVariable(RedisVariable);
        if (string.IsNullOrWhiteSpace(configuration))
            return null;
        string? password = Environment.GetEnvironmentVariable(RedisPasswordVariable);
        if (parse.GetValue(RedisPasswordFile) is { } file)
        {
            try
            {
                password = File.ReadAllText(file).Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"cannot read the Redis password file {file}: {e.Message}");
            }
        }
        try
        {
            return new RedisSettings(configuration, string.IsNullOrEmpty(password) ? null : password);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"--redis: {e.Message}");
        }
    }

    /// <summary>Management-plane TLS from the command line or environment; null when none is asked for.</summary>
    public static TransportTls? ResolveTls(ParseResult parse)
    {
        var cert = parse.GetValue(MtlsCert) ?? Environment.GetEnvironmentVariable("NATSROUTES_MTLS_CERT");
        var key = parse.GetValue(MtlsKey) ?? Environment.GetEnvironmentVariable("NATSROUTES_MTLS_KEY");
        var ca = parse.GetValue(MtlsCa) ?? Environment.GetEnvironmentVariable("NATSROUTES_MTLS_CA");
        if (string.IsNullOrEmpty(cert) && string.IsNullOrEmpty(key) && string.IsNullOrEmpty(ca))
            return null;
        if (string.IsNullOrEmpty(cert) || string.IsNullOrEmpty(key) || string.IsNullOrEmpty(ca))
            throw new UsageException("management-plane TLS needs all three of --mtls-cert, --mtls-key and --mtls-ca (or NATSROUTES_MTLS_CERT, _KEY, _CA)");
        foreach (var (file, option) in new[] { (cert, "--mtls-cert"), (key, "--mtls-key"), (ca, "--mtls-ca") })
        {
            if (!File.Exists(file))
                throw new UsageException($"{option} {file}: no such file");
        }
        return new TransportTls(cert, key, ca);
    }

    /// <summary>The Redis a service role must have.</summary>
    public static RedisSettings RequireRedis(ParseResult parse, string role) =>
        ResolveRedis(parse) ?? throw new UsageException(
            $"a {role} needs the deployment's Redis: --redis HOST:PORT (or {RedisVariable}); for one process without Redis use ./natsroutes dev");
}

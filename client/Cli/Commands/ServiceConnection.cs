using System.CommandLine;
using Nats.OrleansRoutes.Client;
using Nats.OrleansRoutes.Grains;
using Orleans.Runtime.Messaging;

namespace Nats.OrleansRoutes.Cli.Commands;

/// <summary>
/// Runs a command against the service and turns every failure into one clear line on stderr:
/// exit 1 when the service refused or failed the request, 2 when it could not be reached or the
/// command line was wrong.
/// </summary>
internal static class ServiceConnection
{
    public static async Task<int> RunAsync(ParseResult parse, Func<NatsRoutesClient, Task<int>> action)
    {
        NatsRoutesClientOptions options;
        try
        {
            options = Resolve(parse);
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"natsroutes: {e.Message}");
            return 2;
        }
        NatsRoutesClient client;
        try
        {
            client = await NatsRoutesClient.ConnectAsync(options);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Console.Error.WriteLine($"natsroutes: cannot reach the service ({Where(options)}): {e.GetBaseException().Message}");
            return 2;
        }
        try
        {
            await using (client)
                return await action(client);
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"natsroutes: {e.Message}");
            return 2;
        }
        catch (ClusterRequestException e)
        {
            Console.Error.WriteLine($"natsroutes: {e.Message}");
            return 1;
        }
        catch (Exception e) when (IsUnreachable(e))
        {
            Console.Error.WriteLine($"natsroutes: cannot reach the service ({Where(options)}): {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Console.Error.WriteLine($"natsroutes: the service failed the request: {e.GetBaseException().Message}");
            return 1;
        }
    }

    /// <summary>A call found no silo to answer it, or timed out.</summary>
    private static bool IsUnreachable(Exception e) =>
        e is TimeoutException or SiloUnavailableException or ConnectionFailedException or OrleansMessageRejectionException
        || (e.InnerException is { } inner && IsUnreachable(inner));

    public static ClusterRef Cluster(string text) =>
        ClusterRef.TryParse(text, out var cluster, out var problem) ? cluster : throw new UsageException(problem!);

    private static NatsRoutesClientOptions Resolve(ParseResult parse)
    {
        var prefix = parse.GetValue(ServiceOptions.Prefix)!;
        if (ServiceOptions.ResolveRedis(parse) is { } redis)
            return new NatsRoutesClientOptions { Redis = redis, KeyPrefix = prefix, Tls = ServiceOptions.ResolveTls(parse) };
        if (DevInstance.Read() is { } dev)
            return new NatsRoutesClientOptions { Silo = dev.Silo, KeyPrefix = dev.Prefix, CallTimeout = TimeSpan.FromSeconds(15) };
        throw new UsageException("no service to talk to: give --redis HOST:PORT (or set NATSROUTES_REDIS), or start one with ./natsroutes dev");
    }

    private static string Where(NatsRoutesClientOptions options) =>
        options.Redis is { } redis ? $"Redis at {redis}" : $"dev instance at {options.Silo} (from {DevInstance.FilePath})";
}

/// <summary>The command line asks for something impossible; the message says what to give instead.</summary>
internal sealed class UsageException(string message) : Exception(message);

using System.Net;
using Microsoft.Extensions.Hosting;
using Nats.OrleansRoutes.Grains;
using Orleans.Configuration;
using Orleans.Serialization;

namespace Nats.OrleansRoutes.Client;

/// <summary>Makes an Orleans client of the service: used by the client library, the CLI and gateways.</summary>
public static class ServiceClientSetup
{
    /// <summary>
    /// Connects to the deployment <paramref name="options"/> names. With <paramref name="waitForSilos"/>
    /// (gateways, started beside silos) the start keeps retrying until a silo answers; without, it
    /// fails at once when none does (the CLI says so and exits).
    /// </summary>
    public static IClientBuilder UseNatsRoutesService(this IClientBuilder client, NatsRoutesClientOptions options, bool waitForSilos = false)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Redis is null == options.Silo is null)
            throw new ArgumentException("give either Redis (the deployment's Redis) or Silo (host:port of one dev silo)", nameof(options));
        client.Services.AddSerializer(s => s.AddNatsRoutesContracts());
        client.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = options.KeyPrefix;
            o.ServiceId = options.KeyPrefix;
        });
        client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = options.CallTimeout);
        if (options.Redis is { } redis)
        {
            client.UseRedisClustering(o => o.ConfigurationOptions = redis.ToConfigurationOptions());
            // Learn of silos that joined or died soon, not after the default minute.
            client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(5));
        }
        else
        {
            client.UseStaticClustering(Endpoints.Parse(options.Silo!, "Silo"));
        }
        if (options.Tls is { } tls)
            client.UseTls(tls.LoadCertificate(), tls.Configure);
        if (waitForSilos)
            client.UseConnectionRetryFilter<RetryUntilSilosAnswer>();
        return client;
    }

    /// <summary>Retries the first connection every second until it succeeds or the start is cancelled.</summary>
    private sealed class RetryUntilSilosAnswer : IClientConnectionRetryFilter
    {
        public async Task<bool> ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            return true;
        }
    }
}

/// <summary>host:port text as an <see cref="IPEndPoint"/>.</summary>
internal static class Endpoints
{
    public static IPEndPoint Parse(string text, string what)
    {
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), System.Globalization.CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            throw new ArgumentException($"{what} \"{text}\" is not HOST:PORT");
        var host = text[..colon].Trim('[', ']');
        var address = host == "localhost" ? IPAddress.Loopback
            : IPAddress.TryParse(host, out var ip) ? ip
            : Dns.GetHostAddresses(host).FirstOrDefault() ?? throw new ArgumentException($"{what} \"{text}\": host {host} has no address");
        return new IPEndPoint(address, port);
    }
}

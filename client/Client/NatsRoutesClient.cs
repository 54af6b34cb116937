using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Nats.OrleansRoutes.Grains;
using Nats.OrleansRoutes.Runtime.Events;
using Nats.OrleansRoutes.Runtime.Grains;
using Nats.OrleansRoutes.Runtime.Hosting;
using Nats.OrleansRoutes.Runtime.Membership;

namespace Nats.OrleansRoutes.Client;

/// <summary>
/// Manages tenant clusters: import nats-server configuration, inspect, change, rotate
/// credentials, pin accounts, render member configuration. Every method is one or a few grain
/// calls; errors from the service arrive as exceptions whose message says what to do.
/// </summary>
public sealed class NatsRoutesClient : IAsyncDisposable
{
    /// <summary>Stands where the route password goes in <see cref="GetMemberConfigAsync"/> output when none is given.</summary>
    public const string PasswordPlaceholder = "REPLACE-WITH-ROUTE-PASSWORD";

    private readonly IHost _host;
    private readonly IGrainFactory _grains;

    private NatsRoutesClient(IHost host)
    {
        _host = host;
        _grains = host.Services.GetRequiredService<IGrainFactory>();
    }

    /// <summary>Connects to the service (through Redis, or directly to one silo).</summary>
    public static async Task<NatsRoutesClient> ConnectAsync(NatsRoutesClientOptions options, CancellationToken cancellationToken = default)
    {
        if (options.Redis is null == options.Silo is null)
            throw new ArgumentException("give either Redis (host:port of the deployment's Redis) or Silo (host:port of one silo)", nameof(options));
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        var runtime = builder.Services.AddGrainRuntime(o =>
        {
            o.KeyPrefix = options.KeyPrefix;
            o.CallTimeout = options.CallTimeout;
        });
        if (options.Redis is { } redis)
        {
            runtime.UseRedis(r => r.Endpoint = redis);
        }
        else
        {
            var (host, port) = SplitEndpoint(options.Silo!);
            builder.Services.AddSingleton<IMembershipTable>(new StaticMembershipTable(host, port));
            builder.Services.AddSingleton<IChangeEvents, InMemoryChangeEvents>();
            runtime.UseInMemory();
        }
        runtime.AddNatsRoutesGrainInterfaces();
        var app = builder.Build();
        await app.StartAsync(cancellationToken);
        return new NatsRoutesClient(app);
    }

    public Task<ImportResult> ImportClusterAsync(ClusterRef cluster, string configText, string sourceName, ImportMode mode = ImportMode.CreateOrReplace) =>
        Cluster(cluster).Import(new ImportRequest(configText, sourceName, mode));

    /// <summary>The clusters of one tenant, or of every tenant.</summary>
    public async Task<IReadOnlyList<ClusterView>> ListClustersAsync(string? tenant = null)
    {
        var tenants = tenant is null ? await _grains.GetGrain<ITenantRegistryGrain>(ITenantRegistryGrain.Key).List() : [tenant];
        var views = new List<ClusterView>();
        foreach (var t in tenants)
        {
            var names = (await _grains.GetGrain<ITenantGrain>(t).Get()).Clusters;
            var found = await Task.WhenAll(names.Select(n => Cluster(new ClusterRef(t, n)).Find()));
            views.AddRange(found.OfType<ClusterView>());
        }
        return views;
    }

    public Task<ClusterView> GetClusterAsync(ClusterRef cluster) => Cluster(cluster).Get();

    public Task<long> SetClusterOptionAsync(ClusterRef cluster, string option, string value) => Cluster(cluster).Set(option, value);

    public Task DeleteClusterAsync(ClusterRef cluster) => Cluster(cluster).Delete();

    /// <summary>A new route password (returned once); the old one stays valid for <paramref name="grace"/>.</summary>
    public Task<string> RotateCredentialsAsync(ClusterRef cluster, TimeSpan grace) => Cluster(cluster).RotateCredentials(grace);

    public Task<long> PinAccountAsync(ClusterRef cluster, string account) => Account(cluster, account).Pin();

    public Task<long> UnpinAccountAsync(ClusterRef cluster, string account) => Account(cluster, account).Unpin();

    public Task<AccountView> GetAccountAsync(ClusterRef cluster, string account) => Account(cluster, account).Get();

    /// <summary>
    /// The configuration a member server uses to route to the service. With <paramref name="password"/>
    /// it is complete; without, the password is <see cref="PasswordPlaceholder"/>. The password never
    /// travels to the service: it is put in here. <paramref name="serverVersion"/> (2.9, 2.10 or
    /// 2.15, the default) leaves out the options that version of nats-server refuses.
    /// </summary>
    public async Task<string> GetMemberConfigAsync(ClusterRef cluster, string serverName, string? listen = null, string? password = null,
        string? serverVersion = null)
    {
        var text = await Cluster(cluster).MemberConfig(serverName, listen, PasswordPlaceholder, serverVersion);
        return password is null ? text : MemberConfigPassword.Fill(text, PasswordPlaceholder, password);
    }

    public Task<IReadOnlyList<GatewayInfo>> ListGatewaysAsync() => _grains.GetGrain<IGatewayDirectoryGrain>(IGatewayDirectoryGrain.Key).List();

    public Task SetTenantQuotaAsync(string tenant, int quota) => _grains.GetGrain<ITenantGrain>(tenant).SetQuota(quota);

    private IClusterGrain Cluster(ClusterRef cluster) => _grains.GetGrain<IClusterGrain>(cluster.Key);

    private IAccountGrain Account(ClusterRef cluster, string account) => _grains.GetGrain<IAccountGrain>($"{cluster.Key}/{account}");

    private static (string Host, int Port) SplitEndpoint(string endpoint)
    {
        var colon = endpoint.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(endpoint.AsSpan(colon + 1), System.Globalization.CultureInfo.InvariantCulture, out var port))
            throw new ArgumentException($"\"{endpoint}\" is not HOST:PORT", nameof(endpoint));
        return (endpoint[..colon], port);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}

/// <summary>Puts a route password into member configuration text where the placeholder stands.</summary>
public static class MemberConfigPassword
{
    public static string Fill(string text, string placeholder, string password) => text
        .Replace($":{placeholder}@", $":{Uri.EscapeDataString(password)}@", StringComparison.Ordinal)
        .Replace($"\"{placeholder}\"", Config.Output.ClusterBlockWriter.Quote(password), StringComparison.Ordinal);
}

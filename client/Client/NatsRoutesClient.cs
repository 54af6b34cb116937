using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Nats.OrleansRoutes.Grains;

namespace Nats.OrleansRoutes.Client;

/// <summary>
/// Manages tenant clusters: import nats-server configuration, inspect, change, rotate
/// credentials, pin accounts, render member configuration. Every method is one or a few grain
/// calls. A request the service refuses throws <see cref="ClusterRequestException"/>, whose message
/// says what to do; an unreachable service throws Orleans' connection or timeout exceptions.
/// </summary>
public sealed class NatsRoutesClient : IAsyncDisposable
{
    /// <summary>Stands where the route password goes in <see cref="GetMemberConfigAsync"/> output when none is given.</summary>
    public const string PasswordPlaceholder = "REPLACE-WITH-ROUTE-PASSWORD";

    /// <summary>Most clusters one page of <see cref="ListClustersAsync"/> holds.</summary>
    public const int MaxPageSize = 1000;

    private readonly IHost _host;
    private readonly IGrainFactory _grains;

    private NatsRoutesClient(IHost host)
    {
        _host = host;
        _grains = host.Services.GetRequiredService<IClusterClient>();
    }

    /// <summary>Connects to the service (through Redis, or directly to one silo).</summary>
    public static async Task<NatsRoutesClient> ConnectAsync(NatsRoutesClientOptions options, CancellationToken cancellationToken = default)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client => client.UseNatsRoutesService(options));
        var app = builder.Build();
        // Orleans retries a refused connection (no silo yet, or TLS refused) for ever; a tool should not.
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(options.CallTimeout);
        try
        {
            await app.StartAsync(limit.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            app.Dispose();
            throw new TimeoutException($"no silo accepted a connection within {options.CallTimeout.TotalSeconds:0} s: is one running for "
                + $"deployment \"{options.KeyPrefix}\", and does this client's TLS (--mtls-*) match the silos'?");
        }
        catch
        {
            app.Dispose();
            throw;
        }
        return new NatsRoutesClient(app);
    }

    public Task<ImportResult> ImportClusterAsync(ClusterRef cluster, string configText, string sourceName, ImportMode mode = ImportMode.CreateOrReplace) =>
        Cluster(cluster).Import(new ImportRequest(configText, sourceName, mode));

    /// <summary>
    /// One page of clusters in key order: of <paramref name="tenant"/>, or of every tenant when null.
    /// <paramref name="after"/> is the <see cref="ClusterPage.Next"/> of the previous page (a cluster
    /// name within a tenant, <c>tenant/name</c> across tenants); null starts at the beginning.
    /// </summary>
    public async Task<ClusterPage> ListClustersAsync(string? tenant = null, int limit = 100, string? after = null)
    {
        if (limit is < 1 or > MaxPageSize)
            throw new ArgumentOutOfRangeException(nameof(limit), limit, $"a page holds 1 to {MaxPageSize} clusters");
        var keys = new List<ClusterRef>();
        string? next;
        if (tenant is not null)
        {
            var page = await _grains.GetGrain<ITenantGrain>(tenant).ListClusters(after, limit);
            keys.AddRange(page.Names.Select(n => new ClusterRef(tenant, n)));
            next = page.Next;
        }
        else
        {
            next = await CollectAcrossTenantsAsync(keys, after is null ? null : ClusterRef.Parse(after), limit);
        }
        var views = await Task.WhenAll(keys.Select(k => Cluster(k).Find()));
        return new ClusterPage([.. views.OfType<ClusterView>()], next);
    }

    /// <summary>
    /// Fills <paramref name="keys"/> with up to <paramref name="limit"/> clusters after <paramref name="after"/>,
    /// tenant by tenant; returns the last key when the page is full (the next page may then be empty).
    /// </summary>
    private async Task<string?> CollectAcrossTenantsAsync(List<ClusterRef> keys, ClusterRef? after, int limit)
    {
        if (after is not null && await AddPageAsync(after.Tenant, after.Name))
            return keys[^1].Key;
        var registry = _grains.GetGrain<ITenantRegistryGrain>(ITenantRegistryGrain.Key);
        var tenantAfter = after?.Tenant;
        do
        {
            var tenants = await registry.List(tenantAfter, 100);
            foreach (var tenant in tenants.Names)
            {
                if (await AddPageAsync(tenant, null))
                    return keys[^1].Key;
            }
            tenantAfter = tenants.Next;
        }
        while (tenantAfter is not null);
        return null;

        async Task<bool> AddPageAsync(string tenant, string? nameAfter)
        {
            var page = await _grains.GetGrain<ITenantGrain>(tenant).ListClusters(nameAfter, limit - keys.Count);
            keys.AddRange(page.Names.Select(n => new ClusterRef(tenant, n)));
            return keys.Count == limit;
        }
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
        string? serverVersion = null, MemberTlsFiles? tls = null)
    {
        var text = await Cluster(cluster).MemberConfig(serverName, listen, PasswordPlaceholder, serverVersion, tls);
        return password is null ? text : MemberConfigPassword.Fill(text, PasswordPlaceholder, password);
    }

    public Task<IReadOnlyList<GatewayInfo>> ListGatewaysAsync() => _grains.GetGrain<IGatewayDirectoryGrain>(IGatewayDirectoryGrain.Key).List();

    public Task SetTenantQuotaAsync(string tenant, int quota) => _grains.GetGrain<ITenantGrain>(tenant).SetQuota(quota);

    private IClusterGrain Cluster(ClusterRef cluster) => _grains.GetGrain<IClusterGrain>(cluster.Key);

    private IAccountGrain Account(ClusterRef cluster, string account) => _grains.GetGrain<IAccountGrain>($"{cluster.Key}/{account}");

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}

/// <summary>One page of <see cref="NatsRoutesClient.ListClustersAsync"/>; <see cref="Next"/> is null on the last page.</summary>
public sealed record ClusterPage(IReadOnlyList<ClusterView> Clusters, string? Next);

/// <summary>Puts a route password into member configuration text where the placeholder stands.</summary>
public static class MemberConfigPassword
{
    public static string Fill(string text, string placeholder, string password) => text
        .Replace($":{placeholder}@", $":{Uri.EscapeDataString(password)}@", StringComparison.Ordinal)
        .Replace($"\"{placeholder}\"", Config.Output.ClusterBlockWriter.Quote(password), StringComparison.Ordinal);
}

using System.Text;
using Nats.OrleansRoutes.Config.Cluster;
using Nats.OrleansRoutes.Config.Output;
using Nats.OrleansRoutes.Config.Validation;

namespace Nats.OrleansRoutes.Grains.Cluster;

// The configuration a member server uses to join the cluster through the service.
public sealed partial class ClusterGrain
{
    public async Task<string> MemberConfig(string serverName, string? listen, string passwordPlaceholder, string? serverVersion)
    {
        if (Names.Check(serverName, "server name") is { } problem)
            throw new ClusterRequestException(problem);
        var version = NatsServerVersion.V2_15;
        if (serverVersion is not null && !NatsServerVersions.TryParse(serverVersion, out version))
            throw new ClusterRequestException($"--server-version \"{serverVersion}\" is not a supported nats-server version (2.9, 2.10 or 2.15)");
        var spec = Spec;
        var placement = await EnsurePlacement()
            ?? throw new ClusterRequestException($"cluster {Key} is not placed on a gateway yet: no gateway is running (start one with natsroutes gateway)");

        // Members list every gateway that can serve the port: whichever holds the lease accepts.
        var gateways = await Directory.List();
        var hosts = gateways
            .Where(g => g.Registration.PortFrom <= placement.Port && placement.Port <= g.Registration.PortTo)
            .Select(g => g.Registration.Host)
            .Append(placement.Host)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();

        var user = State.Credential?.User ?? spec.Authorization?.User ?? "route";
        var credentials = new Secret(passwordPlaceholder);
        var member = new ClusterSpec
        {
            Name = spec.Name,
            Host = ListenHost(listen),
            Port = ListenPort(listen),
            NoAdvertise = spec.NoAdvertise,
            Authorization = new RouteAuthorization { User = user, Password = credentials, Timeout = spec.Authorization?.Timeout },
            Routes = new EquatableList<RouteUrl>(hosts.Select(h => new RouteUrl("nats-route", h, placement.Port, user, credentials))),
            PoolSize = spec.PoolSize,
            PinnedAccounts = spec.PinnedAccounts,
            Compression = spec.Compression,
            PingInterval = spec.PingInterval,
            PingMax = spec.PingMax,
            WriteDeadline = spec.WriteDeadline,
            WriteTimeout = spec.WriteTimeout,
            ConnectBackoff = spec.ConnectBackoff,
            Permissions = spec.Permissions,
            Server = spec.Server,
        };
        if (version != NatsServerVersion.V2_15)
        {
            // Older servers refuse these options ("unknown field"): write_deadline and
            // write_timeout came in 2.11.11, connect_backoff in 2.12.
            member = member with { WriteDeadline = null, WriteTimeout = null, ConnectBackoff = false };
        }
        if (version == NatsServerVersion.V2_9)
        {
            // 2.9 has no pool and pins nothing (the gateway sends such a member every account on
            // its one route), and knows no compression or route timers.
            member = member with
            {
                PoolSize = ClusterSpec.DefaultPoolSize,
                PinnedAccounts = EquatableList<string>.Empty,
                Compression = CompressionSpec.Accept,
                PingInterval = null,
                PingMax = null,
            };
        }
        var text = new StringBuilder();
        text.Append("# Member configuration for cluster ").Append(Key).Append(", server ").Append(serverName).Append('\n');
        text.Append("# Routes go to every gateway that can serve the cluster; only the one holding it accepts.\n");
        if (version == NatsServerVersion.V2_9)
            text.Append("# For nats-server 2.9: no pool_size, accounts or compression (2.9 has no route pools); one route carries every account.\n");
        text.Append("server_name: ").Append(ClusterBlockWriter.Quote(serverName)).Append('\n');
        text.Append(ClusterBlockWriter.Write(member, SecretMode.Reveal));
        return text.ToString();
    }

    private static string ListenHost(string? listen) =>
        listen is null ? "0.0.0.0" : listen.LastIndexOf(':') is var colon and > 0 ? listen[..colon] : listen;

    private static int ListenPort(string? listen)
    {
        if (listen is null)
            return 6222;
        var colon = listen.LastIndexOf(':');
        return colon > 0 && int.TryParse(listen.AsSpan(colon + 1), System.Globalization.CultureInfo.InvariantCulture, out var port)
            ? port
            : throw new ClusterRequestException($"--listen \"{listen}\" is not HOST:PORT");
    }
}

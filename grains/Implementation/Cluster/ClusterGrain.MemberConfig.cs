using System.Text;
using Nats.OrleansRoutes.Config.Cluster;
using Nats.OrleansRoutes.Config.Output;

namespace Nats.OrleansRoutes.Grains.Cluster;

// The configuration a member server uses to join the cluster through the service.
public sealed partial class ClusterGrain
{
    public async Task<string> MemberConfig(string serverName, string? listen, string passwordPlaceholder)
    {
        if (Names.Check(serverName, "server name") is { } problem)
            throw new ClusterRequestException(problem);
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
            Server = spec.Server,
        };
        var text = new StringBuilder();
        text.Append("# Member configuration for cluster ").Append(Key).Append(", server ").Append(serverName).Append('\n');
        text.Append("# Routes go to every gateway that can serve the cluster; only the one holding it accepts.\n");
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

using Nats.OrleansRoutes.Config.Conf;
using Nats.OrleansRoutes.Config.Go;

namespace Nats.OrleansRoutes.Config.Validation;

/// <summary>
/// Failures nats-server only meets when it opens its listeners (it logs them as [FTL] and exits):
/// ports out of range, an advertise address with a bad port, and the route port clashing with
/// the client port of the same file. Ports used by other processes cannot be known here.
/// </summary>
internal static class ListenChecks
{
    private const int DefaultClientPort = 4222;

    public static void Check(ConfMap root, ClusterBlockReader? cluster, Findings findings)
    {
        var (clientHost, clientPort) = ClientEndpoint(root);
        if (!InRange(clientPort))
        {
            findings.StartupError($"Error listening on port: {clientHost}:{clientPort}, \"listen tcp: address {clientPort}: invalid port\"");
            return;
        }
        if (cluster is null || !cluster.Listening)
            return;
        if (!InRange(cluster.Port))
        {
            findings.StartupError($"Error listening on router port: {cluster.Port} - listen tcp: address {cluster.Port}: invalid port");
            return;
        }
        if (cluster.Port > 0 && cluster.Port == clientPort && Overlap(cluster.Host, clientHost))
        {
            findings.StartupError($"Error listening on router port: {cluster.Port} - listen tcp {cluster.Host}:{cluster.Port}: bind: address already in use");
            return;
        }
        if (cluster.Advertise is { } advertise && HostPort.TrySplit(advertise, out _, out var port) && !HostPort.TryParseAtoi(port, out _))
        {
            findings.StartupError($"Error setting route INFO with Cluster.Advertise value of {advertise}, err=strconv.Atoi: parsing {GoQuote.Quote(port)}: invalid syntax");
        }
    }

    private static (string Host, long Port) ClientEndpoint(ConfMap root)
    {
        var host = "0.0.0.0";
        long port = DefaultClientPort;
        foreach (var entry in root.Entries)
        {
            switch (entry.Key.ToLowerInvariant(), entry.Value)
            {
                case ("host" or "net", ConfString h):
                    host = h.Value;
                    break;
                case ("port", ConfInteger p):
                    port = p.Value;
                    break;
                case ("listen", ConfInteger p):
                    port = p.Value;
                    break;
                case ("listen", ConfString l) when HostPort.TrySplit(l.Value, out var h, out var text) && HostPort.TryParseAtoi(text, out var p):
                    host = h.Length > 0 ? h : host;
                    port = p;
                    break;
            }
        }
        return (host, port);
    }

    private static bool InRange(long port) => port is >= -1 and <= 65535;

    private static bool Overlap(string a, string b) =>
        a == b || IsAny(a) || IsAny(b);

    private static bool IsAny(string host) => host is "" or "0.0.0.0" or "::" or "[::]";
}

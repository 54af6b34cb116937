using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace Nats.OrleansRoutes.Cli.Commands;

/// <summary>
/// <c>natsroutes status TENANT/NAME</c>: where a cluster is placed (from its grain) and its live
/// routes (from the /routez of the gateway that holds it).
/// </summary>
internal static class StatusCommand
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    public static Command Create()
    {
        var cluster = new Argument<string>("TENANT/NAME");
        var command = new Command("status", "Show where a cluster is served and its live route connections, asked of the gateway that holds it.")
        {
            cluster, ServiceOptions.Json,
        };
        command.SetAction((parse, _) => ServiceConnection.RunAsync(parse, async client =>
        {
            var target = ServiceConnection.Cluster(parse.GetValue(cluster)!);
            var view = await client.GetClusterAsync(target);
            if (view.Placement is not { } placement)
                throw new UsageException($"{target} is not placed on a gateway: no gateway is live (start one with natsroutes gateway)");
            var gateway = (await client.ListGatewaysAsync()).FirstOrDefault(g => g.Registration.GatewayId == placement.GatewayId);
            if (gateway?.Registration.MonitorUrl is not { } monitor)
                throw new UsageException($"{target} is placed on gateway {placement.GatewayId}, which has not announced a monitoring address");
            JsonElement routez;
            try
            {
                routez = JsonDocument.Parse(await Http.GetStringAsync($"{monitor}/routez")).RootElement;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                throw new UsageException($"{target} is placed on gateway {placement.GatewayId}, but its monitoring endpoint {monitor} does not answer ({e.Message}); is the gateway running?");
            }
            var served = routez.GetProperty("clusters").EnumerateArray().FirstOrDefault(c => c.GetProperty("cluster").GetString() == target.Key);
            if (parse.GetValue(ServiceOptions.Json))
            {
                Console.WriteLine(served.ValueKind == JsonValueKind.Undefined ? "null" : served.GetRawText());
                return 0;
            }
            Console.WriteLine($"cluster:   {target} (name {view.Spec.Name}, version {view.Version})");
            Console.WriteLine($"placement: gateway {placement.GatewayId} at {placement.Endpoint}, lease epoch {placement.Epoch} until {placement.LeaseExpiresAt:u}");
            if (served.ValueKind == JsonValueKind.Undefined)
            {
                Console.WriteLine($"state:     not served by {placement.GatewayId} right now (it picks the cluster up within a few seconds of placement)");
                return 0;
            }
            Console.WriteLine($"state:     {served.GetProperty("state").GetString()}; pool_size {served.GetProperty("pool_size").GetInt32()}, pinned [{string.Join(", ", served.GetProperty("pinned_accounts").EnumerateArray().Select(a => a.GetString()))}]");
            var members = served.GetProperty("members").EnumerateArray().ToList();
            if (members.Count == 0)
            {
                Console.WriteLine("members:   none connected");
                return 0;
            }
            var memberTable = new TextTable("MEMBER", "VERSION", "POOL", "CONNECTIONS", "DIFFERS FROM THE SPEC");
            var connectionTable = new TextTable("MEMBER", "ROUTE", "REMOTE", "RTT", "S2", "MSGS IN", "MSGS OUT", "BYTES IN", "BYTES OUT", "INTEREST", "PENDING");
            foreach (var member in members)
            {
                var name = member.GetProperty("server_name").GetString();
                var connections = member.GetProperty("connections").EnumerateArray().ToList();
                var differences = member.GetProperty("mismatches").EnumerateArray().Select(m => m.GetString())
                    .Concat(member.TryGetProperty("pinning", out var pinning)
                        ? pinning.EnumerateArray().Select(a => $"pinning {a.GetString()}: the member sends none of its messages until the dedicated route is up")
                        : []);
                memberTable.Add(name, member.GetProperty("version").GetString(),
                    member.GetProperty("pool_size").ValueKind == JsonValueKind.Number ? Number(member.GetProperty("pool_size").GetInt64()) : "none",
                    Number(connections.Count), string.Join("; ", differences));
                foreach (var c in connections)
                {
                    var kind = c.GetProperty("kind").GetString();
                    var route = kind switch
                    {
                        "pool" => $"pool {c.GetProperty("pool_index").GetInt32()}",
                        "pinned" => $"pinned {c.GetProperty("account").GetString()}",
                        _ => kind,
                    };
                    var rtt = c.GetProperty("rtt_ms").ValueKind == JsonValueKind.Number ? $"{c.GetProperty("rtt_ms").GetDouble():0.###} ms" : null;
                    connectionTable.Add(name, route, c.GetProperty("remote").GetString(), rtt,
                        c.GetProperty("compression").GetProperty("mode").GetString(),
                        Number(c.GetProperty("in_msgs").GetInt64()), Number(c.GetProperty("out_msgs").GetInt64()),
                        Number(c.GetProperty("in_bytes").GetInt64()), Number(c.GetProperty("out_bytes").GetInt64()),
                        Number(c.GetProperty("subscriptions").GetInt64()), Number(c.GetProperty("pending_bytes").GetInt64()));
                }
            }
            Console.WriteLine();
            Console.Write(memberTable);
            Console.WriteLine();
            Console.Write(connectionTable);
            return 0;
        }));
        return command;
    }

    private static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}

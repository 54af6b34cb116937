using System.Globalization;
using System.Text.Json;
using Nats.OrleansRoutes.Grains;
using Nats.OrleansRoutes.TestKit;
using Nats.OrleansRoutes.TestKit.Nats;

namespace Nats.OrleansRoutes.Tests.Integration.Gateway;

/// <summary>
/// A member that has no route to the gateway and is reached only because the spec's <c>routes</c>
/// name it: the gateway dials it (pool and $SYS), it relays with a member that dialled the
/// gateway, and when it restarts the gateway redials with <c>connect_backoff</c>'s doubling delays.
/// </summary>
public sealed class SolicitedRouteTests
{
    private const string Password = "s0licit-pass";
    private static readonly ClusterRef Cluster = new("acme", "solicited");
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_member_reached_only_by_solicitation_relays_and_is_redialled_with_backoff()
    {
        await using var deployment = await GatewayDeployment.StartAsync();
        var soloRoutePort = FreePorts.Next();
        await using var solo = await NatsServerProcess.StartAsync(NatsServerBinaries.V2_15, "solo-1", $$"""
            server_name: solo-1
            cluster {
              name: solicited
              listen: 127.0.0.1:{{soloRoutePort.ToString(CultureInfo.InvariantCulture)}}
              authorization { user: ruser, password: "{{Password}}" }
            }
            """);
        await deployment.CreateClusterAsync(Cluster, $$"""
            cluster {
              name: solicited
              listen: 127.0.0.1:-1
              authorization { user: ruser, password: "{{Password}}" }
              routes: [ "nats-route://ruser:{{Password}}@127.0.0.1:{{soloRoutePort.ToString(CultureInfo.InvariantCulture)}}" ]
              connect_backoff: true
            }
            """);
        var accepted = await deployment.StartMemberAsync(Cluster, NatsServerBinaries.V2_10, "accepted-1", Password);
        // Both have the pool of 3 and the dedicated $SYS connection; solo-1's were all dialled by the gateway.
        await deployment.WaitForMembersAsync(Cluster, ["solo-1", "accepted-1"], connections: 4);
        var members = await deployment.MembersAsync(Cluster);
        Assert.All(members["solo-1"].GetProperty("connections").EnumerateArray(), c => Assert.True(c.GetProperty("solicited").GetBoolean()));
        Assert.All(members["accepted-1"].GetProperty("connections").EnumerateArray(), c => Assert.False(c.GetProperty("solicited").GetBoolean()));
        var route = await RouteAsync(deployment);
        Assert.True(route.GetProperty("connected").GetBoolean());
        Assert.DoesNotContain(Password, route.GetProperty("url").GetString(), StringComparison.Ordinal);

        await deployment.AssertRelaysBothWaysAsync(solo, accepted, count: 20);

        // solo-1 dies: the gateway redials 1 s after the drop, then 1, 2, 4 s after each failure.
        await solo.KillAsync();
        var delays = new SortedDictionary<int, double>();
        await Eventually.TrueAsync(async () =>
        {
            var r = await RouteAsync(deployment);
            if (r.GetProperty("retry_delay_ms").ValueKind == JsonValueKind.Number && r.GetProperty("failures").GetInt32() is var failures and > 0)
                delays[failures] = r.GetProperty("retry_delay_ms").GetDouble();
            return delays.ContainsKey(3);
        }, TimeSpan.FromSeconds(20), "three failed redials of solo-1");
        Assert.Equal(1000, delays.GetValueOrDefault(1));
        Assert.Equal(2000, delays.GetValueOrDefault(2));
        Assert.Equal(4000, delays[3]);
        Assert.False((await RouteAsync(deployment)).GetProperty("connected").GetBoolean());
        Assert.False((await deployment.MembersAsync(Cluster)).ContainsKey("solo-1"));

        // Back on the same port: redialled at the end of the current delay, and relaying again.
        await solo.StartAgainAsync();
        await deployment.WaitForMembersAsync(Cluster, ["solo-1", "accepted-1"], connections: 4);
        Assert.Equal(0, (await RouteAsync(deployment)).GetProperty("failures").GetInt32());
        await deployment.AssertRelaysBothWaysAsync(solo, accepted, count: 20);
    }

    private static async Task<JsonElement> RouteAsync(GatewayDeployment deployment)
    {
        var served = await deployment.ServedAsync(Cluster) ?? throw new InvalidOperationException($"{Cluster} is not served");
        var routes = served.GetProperty("routes");
        Assert.Equal(1, routes.GetArrayLength());
        return routes[0];
    }

}

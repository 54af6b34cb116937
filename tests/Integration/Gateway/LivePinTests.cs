using System.Globalization;
using System.Text.Json;
using Nats.OrleansRoutes.Grains;
using Nats.OrleansRoutes.TestKit;
using Nats.OrleansRoutes.TestKit.Nats;

namespace Nats.OrleansRoutes.Tests.Integration.Gateway;

/// <summary>
/// <c>account pin</c> on a running cluster reaches a member the gateway dials at once: the gateway
/// asks the member to take the account on a dedicated route (the add-account exchange a nats-server
/// reload uses), dials that route, and the account's traffic moves there without a reconnect.
/// </summary>
public sealed class LivePinTests
{
    private const string Password = "p1n-pass";
    private const string Accounts = "accounts { ACME: { users: [ { user: acme, password: acme-pw } ] } }\n";
    private static readonly ClusterRef Cluster = new("acme", "livepin");

    [Theory]
    [InlineData(NatsServerBinaries.V2_15)]
    [InlineData(NatsServerBinaries.V2_10)]
    public async Task Pinning_an_account_opens_its_dedicated_route_to_a_dialled_member_without_a_reconnect(string soloVersion)
    {
        await using var deployment = await GatewayDeployment.StartAsync();
        var (solo, accepted) = await StartMembersAsync(deployment, soloVersion);
        await using var _ = solo;
        var soloConnections = await SoloConnectionsAsync(deployment);

        await deployment.Client.PinAccountAsync(Cluster, "ACME");
        // The new dedicated route to pin-solo; the pool and $SYS stay as they were (no reconnect).
        await Eventually.TrueAsync(async () => (await SoloConnectionsAsync(deployment)).Any(c => c.Kind == "pinned" && c.Account == "ACME"),
            TimeSpan.FromSeconds(20), "the gateway dials pin-solo's dedicated route for ACME");
        var after = await SoloConnectionsAsync(deployment);
        Assert.All(soloConnections, before => Assert.Contains(after, c => c.Remote == before.Remote && c.Since == before.Since));
        Assert.Contains("asked member pin-solo to take account ACME on a dedicated route", deployment.Gateway.Output, StringComparison.Ordinal);
        var members = await deployment.MembersAsync(Cluster);
        Assert.Equal(0, members["pin-solo"].GetProperty("pinning").GetArrayLength());
        // pin-solo took the route for ACME as a dedicated one: its own /routez says so.
        using var routez = await solo.MonitorAsync("routez");
        Assert.Contains(routez.RootElement.GetProperty("routes").EnumerateArray(),
            r => r.TryGetProperty("account", out var account) && account.GetString() == "ACME");

        // ACME's traffic crosses, both ways.
        await AcmeRelaysBothWaysAsync(deployment, solo, accepted);
    }

    [Fact]
    public async Task A_new_pool_size_redials_a_dialled_members_pool_at_that_size()
    {
        await using var deployment = await GatewayDeployment.StartAsync();
        var (solo, accepted) = await StartMembersAsync(deployment, NatsServerBinaries.V2_15);
        await using var _ = solo;

        // As nats-server reloading a new pool_size: the pooled connections are closed and dialled
        // again, here at 5 (a 2.11+ member takes the larger size).
        await deployment.Client.SetClusterOptionAsync(Cluster, "pool_size", "5");
        await Eventually.TrueAsync(async () => (await SoloConnectionsAsync(deployment)).Count(c => c.Kind == "pool") == 5,
            TimeSpan.FromSeconds(20), "pin-solo's pool is dialled again with 5 connections");
        await AcmeRelaysBothWaysAsync(deployment, solo, accepted);
    }

    /// <summary>
    /// pin-solo, which the gateway dials (the spec's route names it), and pin-accepted, which dials
    /// the gateway; both define ACME; both registered with their pool and $SYS.
    /// </summary>
    private static async Task<(NatsServerProcess Solo, NatsServerProcess Accepted)> StartMembersAsync(GatewayDeployment deployment, string soloVersion)
    {
        var soloRoutePort = FreePorts.Next().ToString(CultureInfo.InvariantCulture);
        var solo = await NatsServerProcess.StartAsync(soloVersion, "pin-solo", $$"""
            server_name: pin-solo
            {{Accounts}}
            cluster {
              name: livepin
              listen: 127.0.0.1:{{soloRoutePort}}
              authorization { user: ruser, password: "{{Password}}" }
            }
            """);
        await deployment.CreateClusterAsync(Cluster, $$"""
            cluster {
              name: livepin
              listen: 127.0.0.1:-1
              authorization { user: ruser, password: "{{Password}}" }
              routes: [ "nats-route://ruser:{{Password}}@127.0.0.1:{{soloRoutePort}}" ]
            }
            """);
        var accepted = await deployment.StartMemberAsync(Cluster, NatsServerBinaries.V2_15, "pin-accepted", Password, Accounts);
        await deployment.WaitForMembersAsync(Cluster, ["pin-solo", "pin-accepted"], connections: 4);
        return (solo, accepted);
    }

    /// <summary>20 messages in account ACME each way between the two members, in order.</summary>
    private static async Task AcmeRelaysBothWaysAsync(GatewayDeployment deployment, NatsServerProcess solo, NatsServerProcess accepted)
    {
        var onSolo = await deployment.ConnectAsync(solo, "acme", "acme-pw");
        var onAccepted = await deployment.ConnectAsync(accepted, "acme", "acme-pw");
        foreach (var (from, to) in new[] { (onSolo, onAccepted), (onAccepted, onSolo) })
        {
            var subscription = await to.SubscribeAsync("pinned.flow");
            await InterestProbe.WaitAsync(to, from);
            for (var i = 0; i < 20; i++)
                await from.PublishAsync("pinned.flow", i.ToString(CultureInfo.InvariantCulture));
            var got = await subscription.CollectAsync(20, TimeSpan.FromSeconds(20));
            Assert.Equal(Enumerable.Range(0, 20).Select(i => i.ToString(CultureInfo.InvariantCulture)), got.Select(m => m.Text));
            await subscription.UnsubscribeAsync();
        }
    }

    private sealed record Connection(string Kind, string? Account, string Remote, DateTimeOffset Since);

    private static async Task<List<Connection>> SoloConnectionsAsync(GatewayDeployment deployment)
    {
        var members = await deployment.MembersAsync(Cluster);
        return members.TryGetValue("pin-solo", out var solo)
            ? [.. solo.GetProperty("connections").EnumerateArray().Select(c => new Connection(c.GetProperty("kind").GetString()!,
                c.GetProperty("account").ValueKind == JsonValueKind.String ? c.GetProperty("account").GetString() : null,
                c.GetProperty("remote").GetString()!, c.GetProperty("since").GetDateTimeOffset()))]
            : [];
    }
}

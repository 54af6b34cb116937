using System.Text;
using System.Text.Json;
using Nats.OrleansRoutes.Grains;
using Nats.OrleansRoutes.Protocol;
using Nats.OrleansRoutes.TestKit;
using Nats.OrleansRoutes.TestKit.Nats;

namespace Nats.OrleansRoutes.Tests.Integration.Gateway;

/// <summary>A gateway deployment shared by the pool tests; each test has its own cluster.</summary>
public sealed class PoolDeployment : IAsyncLifetime
{
    public GatewayDeployment Deployment { get; private set; } = null!;

    public async Task InitializeAsync() => Deployment = await GatewayDeployment.StartAsync();

    public async Task DisposeAsync() => await Deployment.DisposeAsync();
}

/// <summary>
/// v2 routes between 2.15.1 members: every account's traffic on the connection nats-server uses
/// for it (asserted from the gateway's per-connection, per-account counters), pinned accounts on
/// their own connection, and members that differ from the spec still relayed and reported.
/// </summary>
public sealed class PooledRouteTests(PoolDeployment pool) : IClassFixture<PoolDeployment>
{
    private const string Password = "p00l-r0ute-pass";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    /// <summary>A (pinned) and 19 more accounts; each member server defines all of them.</summary>
    private static readonly string[] Accounts = ["A", .. Enumerable.Range(1, 19).Select(i => $"ACC{i:00}")];

    private static string AccountsBlock(IEnumerable<string> accounts) =>
        "accounts {\n" + string.Concat(accounts.Select(a => $"  {a}: {{ users: [ {{ user: {a.ToLowerInvariant()}, password: {a.ToLowerInvariant()}-pw }} ] }}\n")) + "}\n";

    private GatewayDeployment Deployment => pool.Deployment;

    private async Task<ClusterRef> CreateClusterAsync(string name, int poolSize)
    {
        var cluster = new ClusterRef("acme", name);
        await Deployment.CreateClusterAsync(cluster, $$"""
            cluster {
              name: {{name}}
              listen: 127.0.0.1:-1
              authorization { user: ruser, password: "{{Password}}" }
              pool_size: {{poolSize}}
            }
            """);
        var version = await Deployment.Client.PinAccountAsync(cluster, "A");
        // Members read the spec from the grain; the gateway follows it on the change event.
        await Eventually.TrueAsync(async () => (await Deployment.ServedAsync(cluster))?.GetProperty("version").GetInt64() >= version,
            Wait, $"the gateway serves {cluster} at version {version}");
        return cluster;
    }

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public async Task Each_account_flows_on_the_pool_slot_nats_server_expects_and_A_on_its_own_connection(int poolSize)
    {
        var cluster = await CreateClusterAsync($"pool{poolSize}", poolSize);
        var publisherServer = await Deployment.StartMemberAsync(cluster, NatsServerBinaries.V2_15, "p1", Password, AccountsBlock(Accounts));
        var subscriberServer = await Deployment.StartMemberAsync(cluster, NatsServerBinaries.V2_15, "p2", Password, AccountsBlock(Accounts));
        // pool slots, the dedicated connection of A, and the one of $SYS that every 2.10+ server pins
        await Deployment.WaitForMembersAsync(cluster, ["p1", "p2"], connections: poolSize + 2);

        var sent = await RelayEveryAccountAsync(cluster, publisherServer, subscriberServer, Accounts);

        foreach (var account in Accounts)
        {
            var expected = sent.Counts[account];
            var slot = ExpectedConnection(account, poolSize);
            Assert.Equal(expected, Delta(sent, "p1", account, "in_msgs", slot));
            Assert.Equal(expected, Delta(sent, "p2", account, "out_msgs", slot));
            Assert.Equal(0, Delta(sent, "p1", account, "in_msgs", c => !slot(c)));
            Assert.Equal(0, Delta(sent, "p2", account, "out_msgs", c => !slot(c)));
        }
        Assert.Empty((await Deployment.MembersAsync(cluster))["p1"].GetProperty("mismatches").EnumerateArray());
    }

    [Fact]
    public async Task Members_that_differ_from_the_spec_are_relayed_and_reported()
    {
        var accounts = Accounts.Take(6).ToArray();
        var cluster = await CreateClusterAsync("differ", 2);
        // p-big runs pool_size 4 (2.11.2+ accepts a different size); p-nopin does not pin A.
        var big = await Deployment.StartMemberAsync(cluster, NatsServerBinaries.V2_15, "p-big", Password, AccountsBlock(accounts),
            edit: block => block.Replace("pool_size: 2", "pool_size: 4", StringComparison.Ordinal));
        var normal = await Deployment.StartMemberAsync(cluster, NatsServerBinaries.V2_15, "p-normal", Password, AccountsBlock(accounts));
        var noPin = await Deployment.StartMemberAsync(cluster, NatsServerBinaries.V2_15, "p-nopin", Password, AccountsBlock(accounts),
            edit: block => string.Join('\n', block.Split('\n').Where(l => !l.TrimStart().StartsWith("accounts:", StringComparison.Ordinal))));
        await Deployment.WaitForMembersAsync(cluster, ["p-big", "p-normal", "p-nopin"]);

        await RelayEveryAccountAsync(cluster, big, normal, accounts);
        await RelayEveryAccountAsync(cluster, normal, big, accounts);
        await RelayEveryAccountAsync(cluster, noPin, big, accounts);
        await RelayEveryAccountAsync(cluster, big, noPin, accounts);

        await Eventually.TrueAsync(async () =>
        {
            var members = await Deployment.MembersAsync(cluster);
            return Mismatches(members["p-big"]).Contains("pool_size 4, spec says 2")
                && Mismatches(members["p-nopin"]).Contains("does not pin account A, the spec does")
                && Mismatches(members["p-normal"]).Count == 0;
        }, Wait, "the mismatches of p-big and p-nopin are reported, p-normal has none");
        // The console logger writes from a queue: the lines may trail the state /routez shows.
        await Deployment.Gateway.WaitForLineAsync("member p-big differs from the cluster spec: pool_size 4, spec says 2", Wait);
        await Deployment.Gateway.WaitForLineAsync("member p-nopin differs from the cluster spec: does not pin account A, the spec does", Wait);
    }

    private static List<string> Mismatches(JsonElement member) =>
        [.. member.GetProperty("mismatches").EnumerateArray().Select(m => m.GetString()!)];

    private sealed record Sent(Dictionary<string, int> Counts, JsonElement Before, JsonElement After);

    /// <summary>
    /// For each account a subscriber on one member and a publisher on another; account i sends i+1
    /// messages (so counts differ per account). Returns the counts and /routez before and after.
    /// </summary>
    private async Task<Sent> RelayEveryAccountAsync(ClusterRef cluster, NatsServerProcess from, NatsServerProcess to, IReadOnlyList<string> accounts)
    {
        var subscribers = new Dictionary<string, NatsSubscription>(StringComparer.Ordinal);
        var publishers = new Dictionary<string, NatsClient>(StringComparer.Ordinal);
        foreach (var account in accounts)
        {
            var user = account.ToLowerInvariant();
            var subscriber = await Deployment.ConnectAsync(to, user, $"{user}-pw");
            publishers[account] = await Deployment.ConnectAsync(from, user, $"{user}-pw");
            subscribers[account] = await subscriber.SubscribeAsync("pool.>");
            await InterestProbe.WaitAsync(subscriber, publishers[account]);
        }
        var before = (await Deployment.ServedAsync(cluster))!.Value;
        var counts = accounts.Select((a, i) => (a, i + 1)).ToDictionary(x => x.a, x => x.Item2, StringComparer.Ordinal);
        foreach (var account in accounts)
        {
            for (var n = 0; n < counts[account]; n++)
                await publishers[account].PublishAsync($"pool.{account}", Encoding.UTF8.GetBytes($"{account}-{n}"));
        }
        foreach (var account in accounts)
        {
            var received = await subscribers[account].CollectAsync(counts[account], Wait);
            Assert.Equal(Enumerable.Range(0, counts[account]).Select(n => $"{account}-{n}"), received.Select(m => m.Text));
        }
        var after = (await Deployment.ServedAsync(cluster))!.Value;
        return new Sent(counts, before, after);
    }

    /// <summary>Where nats-server sends an account: its dedicated connection if pinned, else pool slot FNV-1a mod pool size.</summary>
    private static Func<JsonElement, bool> ExpectedConnection(string account, int poolSize) => account == "A"
        ? c => c.GetProperty("kind").GetString() == "pinned" && c.GetProperty("account").GetString() == "A"
        : c => c.GetProperty("kind").GetString() == "pool" && c.GetProperty("pool_index").GetInt32() == PoolIndex.Of(account, poolSize);

    /// <summary>The change of one account counter of one member, summed over the connections that match.</summary>
    private static long Delta(Sent sent, string member, string account, string counter, Func<JsonElement, bool> which) =>
        Sum(sent.After, member, account, counter, which) - Sum(sent.Before, member, account, counter, which);

    private static long Sum(JsonElement served, string member, string account, string counter, Func<JsonElement, bool> which)
    {
        long total = 0;
        foreach (var m in served.GetProperty("members").EnumerateArray())
        {
            if (m.GetProperty("server_name").GetString() != member)
                continue;
            foreach (var connection in m.GetProperty("connections").EnumerateArray())
            {
                if (which(connection) && connection.GetProperty("accounts").TryGetProperty(account, out var counters))
                    total += counters.GetProperty(counter).GetInt64();
            }
        }
        return total;
    }
}

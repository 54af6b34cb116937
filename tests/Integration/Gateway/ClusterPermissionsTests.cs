using Nats.OrleansRoutes.Grains;
using Nats.OrleansRoutes.TestKit;

namespace Nats.OrleansRoutes.Tests.Integration.Gateway;

/// <summary>
/// The cluster's <c>permissions { import, export }</c> at the hub. The members here run without
/// them (their member-config is stripped of the block), so whatever is refused is refused by the
/// gateway: a refused subject never crosses from one real member to the other.
/// </summary>
public sealed class ClusterPermissionsTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private const string Block = """
        cluster {
          name: perms
          listen: 127.0.0.1:-1
          authorization { user: ruser, password: "p3rms-pass" }
          permissions {
            import: { allow: [">"], deny: ["secret.>"] }
            export: { allow: ["orders.>", "secret.>", "wild.>", "probe.>", "end"], deny: ["wild.hidden"] }
          }
        }
        """;

    [Theory]
    [InlineData(NatsServerBinaries.V2_10, NatsServerBinaries.V2_15)]
    [InlineData(NatsServerBinaries.V2_9, NatsServerBinaries.V2_10)]
    public async Task Interest_and_messages_that_the_permissions_refuse_never_cross_the_hub(string publisherVersion, string subscriberVersion)
    {
        await using var deployment = await GatewayDeployment.StartAsync();
        var cluster = new ClusterRef("acme", "perms");
        await deployment.CreateClusterAsync(cluster, Block);
        var a = await deployment.StartMemberAsync(cluster, publisherVersion, "a", "p3rms-pass", edit: WithoutPermissions);
        var b = await deployment.StartMemberAsync(cluster, subscriberVersion, "b", "p3rms-pass", edit: WithoutPermissions);
        await deployment.WaitForMembersAsync(cluster, ["a", "b"]);
        var publisher = await deployment.ConnectAsync(a);
        var subscriber = await deployment.ConnectAsync(b);

        var orders = await subscriber.SubscribeAsync("orders.*");   // export and import allow
        var secret = await subscriber.SubscribeAsync("secret.x");   // import denies
        var other = await subscriber.SubscribeAsync("other.y");     // export does not allow
        var wild = await subscriber.SubscribeAsync("wild.>");       // allowed, but export denies wild.hidden
        var end = await subscriber.SubscribeAsync("end");
        await InterestProbe.WaitAsync(subscriber, publisher);

        foreach (var subject in new[] { "orders.1", "secret.x", "other.y", "wild.open", "wild.hidden", "end" })
            await publisher.PublishAsync(subject, subject);
        Assert.Equal("end", (await end.NextAsync(Wait)).Text); // everything published before it has been relayed or not

        Assert.Equal("orders.1", (await orders.NextAsync(Wait)).Text);
        Assert.Equal("wild.open", (await wild.NextAsync(Wait)).Text);
        Assert.False(secret.TryNext(out var leaked1), $"secret.x crossed: {leaked1?.Subject}");
        Assert.False(other.TryNext(out var leaked2), $"other.y crossed: {leaked2?.Subject}");
        Assert.False(wild.TryNext(out var leaked3), $"{leaked3?.Subject} crossed");

        // A new spec whose export allows other.>: the interest the hub kept aside now counts, at once.
        await deployment.Client.ImportClusterAsync(cluster, Block.Replace("\"end\"]", "\"end\", \"other.>\"]", StringComparison.Ordinal), "perms.conf");
        await Eventually.TrueAsync(async () =>
        {
            await publisher.PublishAsync("other.y", "now");
            await Task.Delay(100);
            return other.TryNext(out var message) && message.Text == "now";
        }, Wait, "other.y crosses once export allows it, without a new subscription");
    }

    /// <summary>The member-config block without its permissions (a member configured before they were set).</summary>
    private static string WithoutPermissions(string config)
    {
        var start = config.IndexOf("permissions {", StringComparison.Ordinal);
        var depth = 0;
        for (var i = start; i < config.Length; i++)
        {
            depth += config[i] switch { '{' => 1, '}' => -1, _ => 0 };
            if (depth == 0 && config[i] == '}')
                return config[..start] + config[(i + 1)..];
        }
        throw new InvalidOperationException($"no permissions block in:\n{config}");
    }
}

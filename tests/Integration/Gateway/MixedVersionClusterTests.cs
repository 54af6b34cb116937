using System.Text;
using Nats.OrleansRoutes.Grains;
using Nats.OrleansRoutes.TestKit;
using Nats.OrleansRoutes.TestKit.Nats;

namespace Nats.OrleansRoutes.Tests.Integration.Gateway;

/// <summary>One cluster of nats-server 2.9.10, 2.10.27 and 2.15.1, routed only to the gateway.</summary>
public sealed class MixedVersionCluster : IAsyncLifetime
{
    public static readonly ClusterRef Cluster = new("acme", "mixed");
    public const string Password = "mixed-r0ute-pass";

    public GatewayDeployment Deployment { get; private set; } = null!;

    public List<NatsServerProcess> Members { get; } = [];

    public async Task InitializeAsync()
    {
        Deployment = await GatewayDeployment.StartAsync();
        await Deployment.CreateClusterAsync(Cluster, $$"""
            cluster {
              name: mixed
              listen: 127.0.0.1:-1
              authorization { user: ruser, password: "{{Password}}" }
            }
            """);
        foreach (var version in NatsServerBinaries.All)
        {
            Members.Add(await Deployment.StartMemberAsync(Cluster, version, $"m-{version}", Password));
        }
        await Deployment.WaitForMembersAsync(Cluster, [.. Members.Select(m => m.Name)]);
    }

    public async Task DisposeAsync() => await Deployment.DisposeAsync();
}

/// <summary>The hub as a subscriber sees it: what a direct full mesh would deliver, no more, no less.</summary>
public sealed class MixedVersionClusterTests(MixedVersionCluster cluster) : IClassFixture<MixedVersionCluster>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private async Task<List<NatsClient>> ClientsAsync() =>
        [.. await Task.WhenAll(cluster.Members.Select(m => cluster.Deployment.ConnectAsync(m)))];

    [Fact]
    public async Task Every_subscriber_gets_every_message_once_and_in_order_per_publisher()
    {
        const int perPublisher = 300;
        var clients = await ClientsAsync();
        var subscriptions = new List<NatsSubscription>();
        foreach (var client in clients)
            subscriptions.Add(await client.SubscribeAsync("fanout.>"));
        await InterestProbe.WaitAllAsync(clients, clients);

        await Task.WhenAll(clients.Select(async (client, p) =>
        {
            for (var seq = 0; seq < perPublisher; seq++)
                await client.PublishAsync($"fanout.{p}", $"{p}:{seq}");
        }));

        for (var s = 0; s < subscriptions.Count; s++)
        {
            var received = await subscriptions[s].CollectAsync(clients.Count * perPublisher, Wait);
            received.AddRange(await subscriptions[s].DrainAsync(TimeSpan.FromMilliseconds(300)));
            Assert.True(received.Count == clients.Count * perPublisher,
                $"subscriber on {cluster.Members[s].Name} received {received.Count} of {clients.Count * perPublisher}");
            for (var p = 0; p < clients.Count; p++)
            {
                var fromPublisher = received.Where(m => m.Subject == $"fanout.{p}").Select(m => m.Text).ToList();
                Assert.Equal(Enumerable.Range(0, perPublisher).Select(seq => $"{p}:{seq}"), fromPublisher);
            }
        }
    }

    [Fact]
    public async Task Messages_relayed_unchanged_and_messages_rewritten_for_a_queue_group_arrive_in_publish_order()
    {
        // order.plain reaches the 2.10.27 member byte for byte (the gateway copies runs of such ops
        // at the end of a read); order.queued is written anew with the queue group the gateway chose.
        // A subscriber on both sees whether the copied runs and the rewritten ops stay in order.
        const int pairs = 400;
        var clients = await ClientsAsync();
        var publisher = clients[2];
        var watcher = await clients[1].SubscribeAsync("order.>");
        var worker = await clients[1].SubscribeAsync("order.queued", queue: "w");
        await InterestProbe.WaitAsync(clients[1], publisher);

        for (var seq = 0; seq < pairs; seq++)
        {
            await publisher.PublishAsync("order.plain", $"p{seq}");
            await publisher.PublishAsync("order.queued", $"q{seq}");
        }

        var received = await watcher.CollectAsync(2 * pairs, Wait);
        var expected = Enumerable.Range(0, pairs).SelectMany(seq => new[] { $"p{seq}", $"q{seq}" });
        Assert.Equal(expected, received.Select(m => m.Text));
        Assert.Equal(pairs, (await worker.CollectAsync(pairs, Wait)).Count);
    }

    [Fact]
    public async Task Large_messages_sent_from_the_read_buffer_arrive_intact_and_in_order()
    {
        // Runs of 8 KiB and more go from the reader's buffer to the socket without a copy, and what
        // the socket does not take is copied before the reader reads on: every byte must survive.
        const int count = 300;
        var clients = await ClientsAsync();
        var publisher = clients[2];
        var subscriber = await clients[1].SubscribeAsync("bulk.>");
        await InterestProbe.WaitAsync(clients[1], publisher);
        var before = await cluster.Deployment.MetricAsync("natsroutes_gateway_relay_sent_uncopied_bytes_total");

        static string Payload(int seq) => $"{seq}:" + new string((char)('a' + seq % 26), 20_000) + $":{seq}";
        for (var seq = 0; seq < count; seq++)
            await publisher.PublishAsync($"bulk.{seq % 7}", Payload(seq));

        var received = await subscriber.CollectAsync(count, Wait);
        Assert.Equal(Enumerable.Range(0, count).Select(Payload), received.Select(m => m.Text));
        Assert.True(await cluster.Deployment.MetricAsync("natsroutes_gateway_relay_sent_uncopied_bytes_total") > before,
            "some runs went out from the read buffer");
    }

    [Fact]
    public async Task A_queue_group_across_all_members_gets_each_message_exactly_once()
    {
        const int perPublisher = 150;
        var clients = await ClientsAsync();
        var workers = new List<NatsSubscription>();
        foreach (var client in clients)
            workers.Add(await client.SubscribeAsync("jobs.all", queue: "workers"));
        await InterestProbe.WaitAllAsync(clients, clients);

        await Task.WhenAll(clients.Select(async (client, p) =>
        {
            for (var seq = 0; seq < perPublisher; seq++)
                await client.PublishAsync("jobs.all", $"{p}:{seq}");
        }));

        var expected = clients.Count * perPublisher;
        await Eventually.TrueAsync(() => Task.FromResult(workers.Sum(w => w.Count) >= expected), Wait, $"{expected} jobs delivered");
        var delivered = new List<string>();
        foreach (var worker in workers)
            delivered.AddRange((await worker.DrainAsync(TimeSpan.FromMilliseconds(300))).Select(m => m.Text));
        Assert.Equal(expected, delivered.Count);
        Assert.Equal(expected, delivered.Distinct().Count());
    }

    [Fact]
    public async Task A_queue_group_on_other_members_gets_each_message_exactly_once_and_both_get_some()
    {
        const int count = 400;
        var clients = await ClientsAsync();
        var publisher = clients[0]; // 2.9.10: no local worker, so every message crosses the gateway
        var workers = new List<NatsSubscription>
        {
            await clients[1].SubscribeAsync("jobs.remote", queue: "workers"),
            await clients[2].SubscribeAsync("jobs.remote", queue: "workers"),
        };
        await InterestProbe.WaitAllAsync([clients[1], clients[2]], [publisher]);

        for (var seq = 0; seq < count; seq++)
            await publisher.PublishAsync("jobs.remote", seq.ToString(System.Globalization.CultureInfo.InvariantCulture));

        await Eventually.TrueAsync(() => Task.FromResult(workers.Sum(w => w.Count) >= count), Wait, $"{count} jobs delivered");
        var perWorker = new List<List<string>>();
        foreach (var worker in workers)
            perWorker.Add([.. (await worker.DrainAsync(TimeSpan.FromMilliseconds(300))).Select(m => m.Text)]);
        var all = perWorker.SelectMany(w => w).ToList();
        Assert.Equal(count, all.Count);
        Assert.Equal(count, all.Distinct().Count());
        // The gateway picks one member per message by queue weight (1 and 1 here): both get a share.
        Assert.All(perWorker, w => Assert.True(w.Count > count / 10, $"a worker got only {w.Count} of {count}"));
    }

    [Fact]
    public async Task Queue_messages_bounced_by_a_member_whose_workers_left_are_delivered_once_elsewhere()
    {
        // Whether a message is in flight to the leaving worker's server at the moment it leaves is
        // a race; rounds are repeated (bounded) until one bounce is seen, each checked exactly once.
        const int count = 20_000; // long enough that the worker leaves mid-stream
        var clients = await ClientsAsync();
        var publisher = clients[0];
        long bounced = 0;
        for (var round = 0; round < 5 && bounced == 0; round++)
        {
            var subject = $"jobs.bounce.{round}";
            var leaving = await clients[1].SubscribeAsync(subject, queue: "workers", countOnly: true);
            var staying = await clients[2].SubscribeAsync(subject, queue: "workers");
            await InterestProbe.WaitAllAsync([clients[1], clients[2]], [publisher]);
            var sentBefore = await SentToGatewayAsync("m-2.10.27");

            var publishing = Task.Run(async () =>
            {
                for (var seq = 0; seq < count; seq++)
                    await publisher.PublishAsync(subject, seq.ToString(System.Globalization.CultureInfo.InvariantCulture));
            });
            // The only worker on m-2.10.27 leaves mid-stream: what is in flight to it comes back (§3.4).
            Assert.True(await leaving.WaitForCountAsync(50, Wait), "the leaving worker got its first messages");
            await leaving.UnsubscribeAsync();
            await publishing;

            await Eventually.TrueAsync(() => Task.FromResult(leaving.Count + staying.Count >= count), Wait,
                $"{count} jobs delivered (leaving {leaving.Count}, staying {staying.Count})");
            var stayed = (await staying.DrainAsync(TimeSpan.FromMilliseconds(300))).Select(m => m.Text).ToList();
            Assert.Equal(count, leaving.Count + stayed.Count);
            Assert.Equal(stayed.Count, stayed.Distinct().Count());
            await staying.UnsubscribeAsync();
            // Nobody publishes on m-2.10.27 meanwhile: every $G message it sent the gateway was a bounce.
            bounced = await SentToGatewayAsync("m-2.10.27") - sentBefore;
        }
        Assert.True(bounced > 0, "no message was bounced in 5 rounds: the test did not exercise what it is about");
    }

    /// <summary>$G messages a member has sent the gateway so far (its per-account counters in /routez).</summary>
    private async Task<long> SentToGatewayAsync(string member) =>
        (await cluster.Deployment.MembersAsync(MixedVersionCluster.Cluster))[member].GetProperty("connections").EnumerateArray()
            .Sum(c => c.GetProperty("accounts").TryGetProperty("$G", out var g) ? g.GetProperty("in_msgs").GetInt64() : 0);

    [Fact]
    public async Task Request_reply_works_between_every_pair_of_members()
    {
        var clients = await ClientsAsync();
        for (var b = 0; b < clients.Count; b++)
        {
            var server = b;
            await clients[b].ServeAsync($"svc.{b}", request => Encoding.UTF8.GetBytes($"{cluster.Members[server].Name} answers {request.Text}"));
        }
        await InterestProbe.WaitAllAsync(clients, clients);

        for (var a = 0; a < clients.Count; a++)
        {
            for (var b = 0; b < clients.Count; b++)
            {
                if (a == b)
                    continue;
                for (var n = 0; n < 5; n++)
                {
                    var reply = await clients[a].RequestAsync($"svc.{b}", Encoding.UTF8.GetBytes($"q{a}-{n}"), Wait);
                    Assert.Equal($"{cluster.Members[b].Name} answers q{a}-{n}", reply.Text);
                }
            }
        }
    }

    [Fact]
    public async Task Headers_and_reply_subjects_arrive_unchanged()
    {
        var clients = await ClientsAsync();
        var subscriptions = new List<NatsSubscription>();
        foreach (var client in clients)
            subscriptions.Add(await client.SubscribeAsync("hdr.>"));
        await InterestProbe.WaitAllAsync(clients, clients);

        for (var p = 0; p < clients.Count; p++)
        {
            await clients[p].PublishAsync($"hdr.{p}", Encoding.UTF8.GetBytes($"body-{p}"), replyTo: $"reply.to.{p}",
                headers: [new("X-From", cluster.Members[p].Name), new("X-Trace", $"t-{p}")]);
        }

        for (var s = 0; s < subscriptions.Count; s++)
        {
            var received = await subscriptions[s].CollectAsync(clients.Count, Wait);
            Assert.True(received.Count == clients.Count, $"{cluster.Members[s].Name} received {received.Count} of {clients.Count}");
            foreach (var message in received)
            {
                var p = int.Parse(message.Subject["hdr.".Length..], System.Globalization.CultureInfo.InvariantCulture);
                Assert.Equal($"body-{p}", message.Text);
                Assert.Equal($"reply.to.{p}", message.ReplyTo);
                Assert.Equal($"NATS/1.0\r\nX-From: {cluster.Members[p].Name}\r\nX-Trace: t-{p}\r\n\r\n", message.Headers);
            }
        }
    }

    [Fact]
    public async Task Wildcards_match_as_nats_matches_them()
    {
        var clients = await ClientsAsync();
        var (publisher, subscriber) = (clients[2], clients[0]);
        var star = await subscriber.SubscribeAsync("wild.*.end");
        var tail = await subscriber.SubscribeAsync("wild.>");
        var literal = await subscriber.SubscribeAsync("wild.a.end");
        await InterestProbe.WaitAsync(subscriber, publisher);

        foreach (var subject in new[] { "wild.a.end", "wild.b.end", "wild.a.b.end", "wild.x", "other.a.end" })
            await publisher.PublishAsync(subject, subject);

        Assert.Equal(["wild.a.end", "wild.b.end"], (await star.DrainAsync(TimeSpan.FromMilliseconds(500))).Select(m => m.Text).Order());
        Assert.Equal(["wild.a.b.end", "wild.a.end", "wild.b.end", "wild.x"], (await tail.DrainAsync(TimeSpan.FromMilliseconds(200))).Select(m => m.Text).Order());
        Assert.Equal(["wild.a.end"], (await literal.DrainAsync(TimeSpan.FromMilliseconds(200))).Select(m => m.Text));
    }
}

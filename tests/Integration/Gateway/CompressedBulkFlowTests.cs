using System.Globalization;
using Nats.OrleansRoutes.TestKit;
using Nats.OrleansRoutes.TestKit.Nats;

namespace Nats.OrleansRoutes.Tests.Integration.Gateway;

/// <summary>
/// Half a gigabyte between two compressing members through the gateway: it takes the cores, so it
/// runs alone, not beside tests that time failovers.
/// </summary>
[Collection(LoadCollection.Name)]
public sealed class CompressedBulkFlowTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Theory]
    [InlineData(false)] // JSON-like records: nats-server sends compressed chunks
    [InlineData(true)] // random bytes: it stores every chunk, and the gateway rebuilds the ones it passes
    public async Task A_bulk_flow_between_compressing_members_passes_chunks_cut_by_reads_and_keeps_every_op_whole(bool incompressible)
    {
        // nats-server cuts flushes over 1 MiB into chunks that end inside an op; the gateway holds
        // back a run's end at a read's end to pass such a chunk whole, and a PING (every second
        // here) writes what is held first, so as not to land inside an op. Distinct payloads: S2
        // would otherwise compress the repetition.
        await using var deployment = await GatewayDeployment.StartAsync();
        await CompressedRouteTests.CreateClusterAsync(deployment, "s2_fast", "ping_interval: \"1s\"");
        var from = await deployment.StartMemberAsync(CompressedRouteTests.Cluster, NatsServerBinaries.V2_15, "bulk-a", CompressedRouteTests.Password);
        var to = await deployment.StartMemberAsync(CompressedRouteTests.Cluster, NatsServerBinaries.V2_10, "bulk-b", CompressedRouteTests.Password);
        await deployment.WaitForMembersAsync(CompressedRouteTests.Cluster, ["bulk-a", "bulk-b"]);
        var publisher = await deployment.ConnectAsync(from);
        var subscriber = await (await deployment.ConnectAsync(to)).SubscribeAsync("bulk.>");
        await InterestProbe.WaitAsync(await deployment.ConnectAsync(to), publisher);
        var passedBefore = await deployment.MetricAsync("natsroutes_gateway_compression_passed_bytes_total");

        byte[] Payload(int n)
        {
            var random = new Random(n);
            if (incompressible)
            {
                var bytes = new byte[2048 + n % 64];
                random.NextBytes(bytes);
                return bytes;
            }
            var text = new System.Text.StringBuilder($"{n}:");
            while (text.Length < 2048)
                text.Append(CultureInfo.InvariantCulture, $"{{\"id\":{random.Next(1_000_000)},\"amount\":{random.Next(100_000)},\"customer\":\"c-{random.Next(10_000):D6}\"}}");
            return System.Text.Encoding.ASCII.GetBytes(text.ToString());
        }
        // Pre-encoded PUB frames in 4 MiB writes on a plain socket: fast enough that bulk-a flushes
        // more than 1 MiB at a time, which a NATS.Net publisher on these cores is not. The 20 MB of
        // distinct frames go out 24 times, so that the flow lasts through several PINGs.
        const int distinct = 10_000;
        const int rounds = 24;
        var frames = new System.IO.MemoryStream();
        for (var n = 0; n < distinct; n++)
        {
            var body = Payload(n);
            frames.Write(System.Text.Encoding.ASCII.GetBytes($"PUB bulk.{n % 5} {body.Length}\r\n"));
            frames.Write(body);
            frames.Write("\r\n"u8);
        }
        var all = frames.ToArray();
        using var raw = new System.Net.Sockets.TcpClient();
        await raw.ConnectAsync("127.0.0.1", from.ClientPort);
        var stream = raw.GetStream();
        await stream.WriteAsync("CONNECT {\"verbose\":false,\"pedantic\":false}\r\n"u8.ToArray());
        // A round is published once the subscriber has checked all but the last: on busy cores
        // bulk-b would otherwise buffer more for it than nats-server's 64 MB client limit and drop.
        var checkedCount = 0;
        var publishing = Task.Run(async () =>
        {
            for (var round = 0; round < rounds; round++)
            {
                await Eventually.TrueAsync(() => Task.FromResult(Volatile.Read(ref checkedCount) >= (round - 1) * distinct), Wait,
                    $"the subscriber checked round {round - 1}");
                for (var at = 0; at < all.Length; at += 4 << 20)
                    await stream.WriteAsync(all.AsMemory(at, Math.Min(4 << 20, all.Length - at)));
            }
        });

        // Checked as they arrive: every message whole and in order.
        var expected = Enumerable.Range(0, distinct).Select(Payload).ToArray();
        for (var i = 0; i < distinct * rounds; i++)
        {
            NatsMessage message;
            try
            {
                message = await subscriber.NextAsync(Wait);
            }
            catch (TimeoutException e)
            {
                throw new TimeoutException($"message {i} of {distinct * rounds} did not arrive; bulk-b says: "
                    + string.Join(" | ", to.Output.Split('\n').Where(l => l.Contains("Slow Consumer", StringComparison.OrdinalIgnoreCase)
                        || l.Contains("[ERR]", StringComparison.Ordinal)).Take(5)), e);
            }
            Assert.True(expected[i % distinct].AsSpan().SequenceEqual(message.Payload),
                $"message {i} arrived as {message.Payload.Length} bytes that differ from the {expected[i % distinct].Length} sent");
            Volatile.Write(ref checkedCount, i + 1);
        }
        await publishing;
        var passed = await deployment.MetricAsync("natsroutes_gateway_compression_passed_bytes_total") - passedBefore;
        var wire = (await deployment.MembersAsync(CompressedRouteTests.Cluster))["bulk-b"].GetProperty("connections").EnumerateArray()
            .Sum(c => c.GetProperty("compression").GetProperty("out_wire_bytes").GetInt64());
        Assert.True(passed > wire / 2, $"{passed} of the {wire} S2 bytes written to bulk-b were bulk-a's chunks passed on");
        // A PING inside an op would have made a member drop its route.
        Assert.DoesNotContain(deployment.Gateway.Output.Split('\n'), l => l.Contains("bulk-", StringComparison.Ordinal) && l.Contains(") closed: ", StringComparison.Ordinal));
    }
}

/// <summary>Tests that load the machine run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LoadCollection
{
    public const string Name = "load";
}

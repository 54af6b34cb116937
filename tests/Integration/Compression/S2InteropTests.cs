using System.Globalization;
using Nats.OrleansRoutes.TestKit;
using Nats.OrleansRoutes.TestKit.Nats;

namespace Nats.OrleansRoutes.Tests.Integration.Compression;

/// <summary>
/// The S2 codec against real nats-servers configured <c>compression: s2_fast</c>: the reader decodes
/// what the server writes (including repeat offsets, which no Snappy library reads), and the server
/// reads what the writer writes (Snappier blocks in compressed chunks).
/// </summary>
public sealed class S2InteropTests
{
    private const string PeerInfo = "INFO {\"server_id\":\"NFAKEHUB000000000000000000000000000000000000000000000000\",\"server_name\":\"fake-hub\","
        + "\"version\":\"2.10.27\",\"proto\":2,\"headers\":true,\"max_payload\":1048576,\"cluster\":\"C1\",\"compression\":\"accept\",\"route_pool_size\":1}\r\n";

    [Theory]
    [InlineData(NatsServerBinaries.V2_10)]
    [InlineData(NatsServerBinaries.V2_15)]
    public async Task A_real_server_and_the_codec_understand_each_other(string version)
    {
        var routePort = FreePorts.Next();
        await using var server = await NatsServerProcess.StartAsync(version, $"s2-{version}", $$"""
            server_name: s2-{{version}}
            no_system_account: true
            cluster {
              name: C1
              listen: 127.0.0.1:{{routePort.ToString(CultureInfo.InvariantCulture)}}
              pool_size: 1
              compression: s2_fast
            }
            """);
        await using var peer = await CompressedRoutePeer.SolicitAsync("127.0.0.1", routePort, PeerInfo);
        await using var client = await server.ConnectAsync();
        var payload = string.Concat(Enumerable.Repeat("The quick brown fox jumps over the lazy dog. ", 60));

        // Server → peer: a repetitive message makes the server's S2 encoder emit repeat offsets.
        await peer.SendAsync("RS+ $G big.>\r\n");
        await Eventually.TrueAsync(async () =>
        {
            await client.PublishAsync("big.1", payload);
            await client.PingAsync();
            return peer.Decoded.Contains("RMSG $G big.1", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(10), "the server relays big.1 to the peer");
        Assert.Contains($"RMSG $G big.1 {payload.Length}\r\n{payload}\r\n", peer.Decoded, StringComparison.Ordinal);

        // Peer → server: a compressed RMSG reaches the server's client intact.
        var subscription = await client.SubscribeAsync("local.sub");
        await client.PingAsync();
        await peer.WaitForAsync("RS+ $G local.sub", TimeSpan.FromSeconds(10));
        await peer.SendAsync($"RMSG $G local.sub {payload.Length}\r\n{payload}\r\n");
        Assert.Equal(payload, (await subscription.NextAsync(TimeSpan.FromSeconds(10))).Text);
        Assert.Contains((byte)0x00, peer.SentChunkTypes); // the RMSG went as a compressed chunk
        Assert.DoesNotContain("Error", server.Output, StringComparison.Ordinal);
    }
}

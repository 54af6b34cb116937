using Nats.OrleansRoutes.Protocol.Compression;

namespace Nats.OrleansRoutes.Tests.Protocol.Compression;

/// <summary>The negotiation table of protocol doc §5.2, row by row.</summary>
public sealed class CompressionNegotiationTests
{
    [Theory]
    // own accept
    [InlineData("accept", null, false, "accept")]
    [InlineData("accept", "not supported", false, "accept")]
    [InlineData("accept", "off", false, "accept")]
    [InlineData("accept", "accept", false, "accept")]
    [InlineData("accept", "s2_auto", true, "s2_fast")]
    [InlineData("accept", "s2_uncompressed", true, "s2_uncompressed")]
    [InlineData("accept", "s2_fast", true, "s2_fast")]
    [InlineData("accept", "s2_better", true, "s2_better")]
    [InlineData("accept", "s2_best", true, "s2_best")]
    // own s2_*
    [InlineData("s2_fast", null, false, "s2_fast")]
    [InlineData("s2_fast", "off", false, "s2_fast")]
    [InlineData("s2_best", "accept", true, "s2_best")]
    [InlineData("s2_better", "s2_auto", true, "s2_better")]
    [InlineData("s2_auto", "s2_fast", true, "s2_auto")]
    [InlineData("s2_auto", "accept", true, "s2_auto")]
    // own off: the field is ignored
    [InlineData("off", "s2_fast", false, "off")]
    [InlineData("off", "zstd", false, "off")]
    public void Decides_as_nats_server(string own, string? peer, bool compresses, string announced)
    {
        var decision = CompressionNegotiation.Decide(own, peer);
        Assert.Null(decision.Error);
        Assert.Equal((compresses, announced), (decision.Compresses, decision.AnnouncedMode));
    }

    [Theory]
    [InlineData("s2_fast", "s2_auto", true)]
    [InlineData("s2_best", "accept", true)]
    [InlineData("accept", "s2_auto", true)] // an accepting server turns the other side's s2_auto into s2_fast
    [InlineData("accept", "s2_better", true)]
    [InlineData("accept", "s2_uncompressed", false)]
    [InlineData("s2_auto", "s2_fast", false)] // stores chunks while its RTT is short
    [InlineData("s2_uncompressed", "s2_fast", false)]
    [InlineData("off", "s2_fast", false)]
    [InlineData(null, "s2_fast", false)]
    public void A_peer_always_compresses_only_at_a_fixed_compressing_level(string? peer, string own, bool always) =>
        Assert.Equal(always, CompressionNegotiation.PeerAlwaysCompresses(peer, own));

    [Fact]
    public void An_unknown_mode_is_refused_with_nats_servers_error()
    {
        var decision = CompressionNegotiation.Decide("accept", "zstd");
        Assert.False(decision.Compresses);
        Assert.Equal("unsupported route compression mode \"zstd\"", decision.Error);
    }

    [Fact]
    public void Levels_map_to_how_chunks_are_written()
    {
        Assert.Equal(OutboundCompression.Uncompressed, CompressionNegotiation.Decide("accept", "s2_uncompressed").Outbound);
        Assert.Equal(OutboundCompression.Compressed, CompressionNegotiation.Decide("s2_best", "accept").Outbound);
        Assert.Equal(OutboundCompression.Auto, CompressionNegotiation.Decide("s2_auto", "accept").Outbound);
    }

    [Fact]
    public void Auto_stores_below_the_first_threshold_and_compresses_above()
    {
        TimeSpan[] defaults = [TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(100)];
        Assert.True(CompressionNegotiation.AutoCompresses(null, defaults));
        Assert.False(CompressionNegotiation.AutoCompresses(TimeSpan.FromMilliseconds(1), defaults));
        Assert.False(CompressionNegotiation.AutoCompresses(TimeSpan.FromMilliseconds(10), defaults));
        Assert.True(CompressionNegotiation.AutoCompresses(TimeSpan.FromMilliseconds(11), defaults));
        Assert.True(CompressionNegotiation.AutoCompresses(TimeSpan.FromMilliseconds(1), [TimeSpan.Zero, TimeSpan.FromMilliseconds(50)]));
    }
}

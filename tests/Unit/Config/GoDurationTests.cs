using Nats.OrleansRoutes.Config.Go;

namespace Nats.OrleansRoutes.Tests.Unit.Config;

public sealed class GoDurationTests
{
    [Theory]
    [InlineData("2s", 2_000_000_000L)]
    [InlineData("1m30s", 90_000_000_000L)]
    [InlineData("500ms", 500_000_000L)]
    [InlineData("1.5h", 5_400_000_000_000L)]
    [InlineData("-1s", -1_000_000_000L)]
    [InlineData("0", 0L)]
    [InlineData("10us", 10_000L)]
    public void Parses_what_go_parses(string text, long nanoseconds)
    {
        Assert.True(GoDuration.TryParseNanoseconds(text, out var value, out var error), error);
        Assert.Equal(nanoseconds, value);
    }

    [Theory]
    [InlineData("5x", "time: unknown unit \"x\" in duration \"5x\"")]
    [InlineData("soon", "time: invalid duration \"soon\"")]
    [InlineData("5", "time: missing unit in duration \"5\"")]
    [InlineData("0.0", "time: missing unit in duration \"0.0\"")]
    [InlineData("10 parsecs", "time: unknown unit \" parsecs\" in duration \"10 parsecs\"")]
    [InlineData("2562048h", "time: invalid duration \"2562048h\"")]
    public void Refuses_in_gos_words(string text, string message)
    {
        Assert.False(GoDuration.TryParseNanoseconds(text, out _, out var error));
        Assert.Equal(message, error);
    }

    [Theory]
    [InlineData(0L, "0s")]
    [InlineData(30_000_000L, "30ms")]
    [InlineData(1_500_000_000L, "1.5s")]
    [InlineData(120_000_000_000L, "2m0s")]
    [InlineData(3_600_000_000_000L, "1h0m0s")]
    [InlineData(1_500L, "1.5µs")]
    [InlineData(-1_000_000_000L, "-1s")]
    public void Formats_like_go(long nanoseconds, string text) => Assert.Equal(text, GoDuration.FormatNanoseconds(nanoseconds));
}

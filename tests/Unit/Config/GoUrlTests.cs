using Nats.OrleansRoutes.Config.Go;

namespace Nats.OrleansRoutes.Tests.Unit.Config;

/// <summary>Route URLs Go's url.Parse accepts and refuses (verified against nats-server 2.15.1 by the research notes).</summary>
public sealed class GoUrlTests
{
    [Theory]
    [InlineData("nats-route://ruser:rpass@10.0.0.2:6222", "nats-route", "10.0.0.2", "6222", "ruser")]
    [InlineData("nats://127.0.0.1", "nats", "127.0.0.1", "", null)]
    [InlineData("NATS://h:1", "nats", "h", "1", null)]
    [InlineData("nats://[::1]:6222", "nats", "::1", "6222", null)]
    [InlineData("nats://h:99999", "nats", "h", "99999", null)]
    public void Accepts(string url, string scheme, string host, string port, string? user)
    {
        Assert.True(GoUrl.TryParse(url, out var parts));
        Assert.Equal((scheme, host, port, user), (parts.Scheme, parts.Host, parts.Port, parts.User));
    }

    [Theory]
    [InlineData("localhost:6222")]
    [InlineData("nats:h")]
    public void Accepts_opaque_urls_that_cannot_be_dialled(string url) => Assert.True(GoUrl.TryParse(url, out _));

    [Theory]
    [InlineData("127.0.0.1:6222")]
    [InlineData("nats://h:abc")]
    [InlineData("nats://h:-1")]
    [InlineData("nats://a b:6222")]
    [InlineData("nats://[::1")]
    [InlineData("nats://[1.2.3.4]:1")]
    [InlineData("nats://h:1/%zz")]
    [InlineData("://x")]
    [InlineData("nats://u ser@h:1")]
    public void Refuses(string url) => Assert.False(GoUrl.TryParse(url, out _));
}

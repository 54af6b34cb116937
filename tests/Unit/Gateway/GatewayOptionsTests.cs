using Nats.OrleansRoutes.Gateway;

namespace Nats.OrleansRoutes.Tests.Unit.Gateway;

public sealed class GatewayOptionsTests
{
    [Theory]
    [InlineData("127.0.0.1", null, "127.0.0.1")]
    [InlineData("[::1]", null, "::1")]
    [InlineData("0.0.0.0", "gw1.nats.example.com", "gw1.nats.example.com")]
    [InlineData("::", "[2001:db8::5]", "2001:db8::5")]
    public void Members_are_given_the_advertised_address_else_the_listen_address(string host, string? advertise, string advertised)
    {
        var options = new GatewayOptions { Host = host, Advertise = advertise };
        Assert.True(new GatewayOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal(advertised, options.AdvertisedHost);
    }

    [Theory]
    [InlineData("gateway.example.com", null, "host \"gateway.example.com\" is not an IP address")]
    [InlineData("127.0.0.1", "gw1.example.com:24200", "advertise \"gw1.example.com:24200\" is not a DNS name or an IP address")]
    [InlineData("127.0.0.1", "bad name", "advertise \"bad name\" is not a DNS name or an IP address")]
    public void A_bad_address_is_named_in_the_error(string host, string? advertise, string error)
    {
        var result = new GatewayOptionsValidator().Validate(null, new GatewayOptions { Host = host, Advertise = advertise });
        Assert.Contains(result.Failures!, f => f.StartsWith(error, StringComparison.Ordinal));
    }
}

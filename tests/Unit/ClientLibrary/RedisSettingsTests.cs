using Nats.OrleansRoutes.Client;

namespace Nats.OrleansRoutes.Tests.Unit.ClientLibrary;

/// <summary>Redis connection settings: cloud forms are understood, and a password never shows.</summary>
public sealed class RedisSettingsTests
{
    [Fact]
    public void A_cloud_configuration_keeps_user_tls_and_the_separate_password()
    {
        var settings = new RedisSettings("cache.example.net:6380,ssl=true,user=svc-natsroutes", "s3cret-key");
        var options = settings.ToConfigurationOptions();
        Assert.True(options.Ssl);
        Assert.Equal("svc-natsroutes", options.User);
        Assert.Equal("s3cret-key", options.Password);
        Assert.False(options.AbortOnConnectFail);
        Assert.DoesNotContain("s3cret-key", settings.ToString(), StringComparison.Ordinal);
        Assert.Contains("cache.example.net:6380", settings.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_password_inside_the_configuration_is_never_printed()
    {
        var settings = new RedisSettings("127.0.0.1:6379,password=inline-s3cret");
        Assert.Equal("inline-s3cret", settings.ToConfigurationOptions().Password);
        Assert.DoesNotContain("inline-s3cret", settings.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("inline-s3cret", $"{settings}", StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ssl=true,password=leaked-s3cret")]
    [InlineData("127.0.0.1:6379,password=leaked-s3cret,nosuchkeyword=1")]
    public void A_bad_configuration_is_refused_without_its_password(string configuration)
    {
        var error = Assert.Throws<ArgumentException>(() => new RedisSettings(configuration));
        Assert.DoesNotContain("leaked-s3cret", error.Message, StringComparison.Ordinal);
        Assert.Contains("Redis configuration", error.Message, StringComparison.Ordinal);
    }
}

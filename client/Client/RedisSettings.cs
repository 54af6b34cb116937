using StackExchange.Redis;

namespace Nats.OrleansRoutes.Client;

/// <summary>
/// How every process of a deployment reaches its Redis: a StackExchange.Redis configuration string
/// (<c>host:port</c>, or e.g. <c>name.redis.cache.windows.net:6380,ssl=true,user=svc</c>), with the
/// password kept apart so it can come from a secret file or variable and never be printed.
/// </summary>
public sealed record RedisSettings
{
    public RedisSettings(string configuration, string? password = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        ConfigurationOptions parsed;
        try
        {
            parsed = ConfigurationOptions.Parse(configuration);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"Redis configuration \"{Redact(configuration)}\" cannot be read: {e.Message}", nameof(configuration), e);
        }
        if (parsed.EndPoints.Count == 0)
            throw new ArgumentException($"Redis configuration \"{Redact(configuration)}\" names no endpoint (give HOST:PORT)", nameof(configuration));
        Configuration = configuration;
        Password = password;
    }

    /// <summary>The StackExchange.Redis configuration string (it may contain a password: print <see cref="ToString"/> instead).</summary>
    public string Configuration { get; }

    /// <summary>Overrides any password in <see cref="Configuration"/> (Redis AUTH, or the ACL user's password).</summary>
    public string? Password { get; }

    /// <summary>Fresh options for one connection (Orleans' providers each open their own).</summary>
    public ConfigurationOptions ToConfigurationOptions()
    {
        var options = ConfigurationOptions.Parse(Configuration);
        if (Password is not null)
            options.Password = Password;
        // Keep reconnecting in the background, but fail commands at once while disconnected instead
        // of queueing them: a write its caller was told had failed must not be applied later.
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        return options;
    }

    /// <summary>The configuration as given, its password masked: safe for logs and error messages.</summary>
    public override string ToString() => Redact(Configuration);

    private static string Redact(string configuration) =>
        string.Join(',', configuration.Split(',').Select(p => p.TrimStart().StartsWith("password", StringComparison.OrdinalIgnoreCase) ? "password=*****" : p));
}

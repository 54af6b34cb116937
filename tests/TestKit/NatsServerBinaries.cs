namespace Nats.OrleansRoutes.TestKit;

/// <summary>
/// The one way tests find real nats-server binaries: tools/nats-server/&lt;version&gt;/nats-server,
/// installed by build/install-peers.sh (which ./natsroutes test runs first).
/// </summary>
public static class NatsServerBinaries
{
    public const string V2_9 = "2.9.10";
    public const string V2_10 = "2.10.27";
    public const string V2_15 = "2.15.1";

    public static IReadOnlyList<string> All { get; } = [V2_9, V2_10, V2_15];

    public static string PathOf(string version)
    {
        var path = System.IO.Path.Combine(RepoPaths.Tools, "nats-server", version, "nats-server");
        if (!File.Exists(path))
            throw new InvalidOperationException($"nats-server {version} is not installed at {path}; run ./natsroutes test (or bash build/install-peers.sh) first.");
        return path;
    }
}

/// <summary>The other real peers, installed system-wide by build/install-peers.sh.</summary>
public static class SystemBinaries
{
    public static string RedisServer => Find("redis-server");

    public static string Haproxy => Find("haproxy");

    private static string Find(string name)
    {
        foreach (var dir in new[] { "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin" }
                     .Concat((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')))
        {
            var path = System.IO.Path.Combine(dir, name);
            if (File.Exists(path))
                return path;
        }
        throw new InvalidOperationException($"{name} is not installed; run ./natsroutes test (or bash build/install-peers.sh) first.");
    }
}

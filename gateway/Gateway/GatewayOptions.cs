using System.Net;
using Microsoft.Extensions.Options;

namespace Nats.OrleansRoutes.Gateway;

/// <summary>Settings of one gateway process.</summary>
public sealed class GatewayOptions
{
    /// <summary>The gateway's name in the directory: letters, digits, '.', '_', '-'.</summary>
    public string Id { get; set; } = "gw1";

    /// <summary>Address the route endpoints listen on: IPv4 or IPv6 (<c>::</c> takes both), brackets allowed.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>
    /// The address members dial when it is not <see cref="Host"/> (NAT, a cloud load balancer, a DNS
    /// name the TLS certificates name): a DNS name or an IP, without port. Null: <see cref="Host"/>.
    /// </summary>
    public string? Advertise { get; set; }

    /// <summary><see cref="Host"/> without brackets, as an address.</summary>
    public IPAddress ListenAddress => IPAddress.Parse(Host.Trim('[', ']'));

    /// <summary>What the directory, the gateway's INFO and member-config give members: the advertised address, else the listen address.</summary>
    public string AdvertisedHost => Advertise is { Length: > 0 } advertise ? advertise.Trim('[', ']') : Host.Trim('[', ']');

    /// <summary>
    /// The failover group: gateways of one group share the port range and take over each other's
    /// clusters; route ports are unique within a group only, so each group adds a range's worth of clusters.
    /// </summary>
    public string Group { get; set; } = Grains.GatewayRegistration.DefaultGroup;

    /// <summary>First port of the range route endpoints are allocated from.</summary>
    public int PortFrom { get; set; } = 24200;

    /// <summary>Last port of the range.</summary>
    public int PortTo { get; set; } = 24299;

    /// <summary>HTTP port of /healthz, /readyz, /routez, /metrics; 0 picks a free one.</summary>
    public int MonitorPort { get; set; }

    /// <summary>How many clusters this gateway offers to serve.</summary>
    public int Capacity { get; set; } = 1000;

    /// <summary>The deployment's secrets key (32 bytes, base64), to open the passwords of spec routes; empty: a random one (routes with passwords cannot be dialled).</summary>
    public string SecretsKey { get; set; } = "";

    /// <summary>How often placement is reconciled without an event.</summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often leases are renewed (a third of the lease is a good value).</summary>
    public TimeSpan RenewInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Stop serving a cluster this long before its lease would expire when renewals fail.</summary>
    public TimeSpan FencingMargin { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>The lease length the silos grant (the gateway fences against it).</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a graceful hand-over may take before the leaving gateway stops anyway.</summary>
    public TimeSpan HandoverTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A member whose outbound buffer holds more than this is disconnected as a slow consumer.</summary>
    public long MaxPendingBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>A send to a member blocked longer than this disconnects it as a slow consumer (nats-server's write_deadline).</summary>
    public TimeSpan WriteDeadline { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Connections that have not completed their handshake, gateway-wide; more wait for one to finish (HandshakeSlots).</summary>
    public int MaxHandshakes { get; set; } = 1024;

    /// <summary>
    /// How often the gateway pings each route connection of a cluster whose spec sets no
    /// <c>ping_interval</c>: 30 s, as nats-server pings routes by default (its 2 min, capped for routes).
    /// </summary>
    public TimeSpan PingInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Unanswered pings after which a connection is closed as stale (nats-server's default, 2).</summary>
    public int MaxPingsOut { get; set; } = 2;

    /// <summary>Longest control line accepted from a member.</summary>
    public int MaxControlLine { get; set; } = 64 * 1024;

    /// <summary>Largest message payload accepted from a member.</summary>
    public int MaxPayload { get; set; } = 64 * 1024 * 1024;

    /// <summary>The max_payload announced in INFO (informational for routes).</summary>
    public long AnnouncedMaxPayload { get; set; } = 1024 * 1024;
}

public sealed class GatewayOptionsValidator : IValidateOptions<GatewayOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewayOptions o)
    {
        var problems = new List<string>();
        if (Grains.Names.Check(o.Id, "gateway id") is { } idProblem)
            problems.Add(idProblem);
        if (Grains.Names.Check(o.Group, "gateway group") is { } groupProblem)
            problems.Add(groupProblem);
        if (o.SecretsKey.Length > 0 && !Grains.Security.SecretBox.IsValidKey(o.SecretsKey))
            problems.Add("the secrets key is not 32 bytes of base64 (e.g. from: head -c 32 /dev/urandom | base64)");
        if (!IPAddress.TryParse(o.Host.Trim('[', ']'), out _))
            problems.Add($"host \"{o.Host}\" is not an IP address (the address route endpoints listen on, e.g. 127.0.0.2, ::1 or 0.0.0.0)");
        if (o.Advertise is not null && !IsHostName(o.Advertise.Trim('[', ']')))
            problems.Add($"advertise \"{o.Advertise}\" is not a DNS name or an IP address (give the host members dial, without port, e.g. gw1.nats.example.com)");
        if (o.PortFrom < 1 || o.PortTo > 65535 || o.PortFrom > o.PortTo)
            problems.Add($"ports {o.PortFrom}-{o.PortTo} are not a range of TCP ports (FROM-TO, 1..65535)");
        if (o.MonitorPort is < 0 or > 65535)
            problems.Add($"monitor port {o.MonitorPort} is not a TCP port");
        if (o.RenewInterval * 2 + o.FencingMargin > o.LeaseDuration)
            problems.Add($"renew interval {o.RenewInterval} is too long for leases of {o.LeaseDuration} (two renewals and the fencing margin must fit in one lease)");
        if (o.MaxPendingBytes < 64 * 1024)
            problems.Add("MaxPendingBytes must be at least 64 KiB");
        if (o.HandoverTimeout <= TimeSpan.Zero)
            problems.Add("HandoverTimeout must be positive");
        if (o.MaxHandshakes < 1)
            problems.Add("MaxHandshakes must be at least 1");
        if (o.WriteDeadline <= TimeSpan.Zero)
            problems.Add("WriteDeadline must be positive");
        if (o.PingInterval <= TimeSpan.Zero || o.MaxPingsOut < 1)
            problems.Add("PingInterval must be positive and MaxPingsOut at least 1");
        if (o.MaxControlLine < 4096 || o.MaxPayload < 1024)
            problems.Add("MaxControlLine must be at least 4096 and MaxPayload at least 1024");
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static bool IsHostName(string host) =>
        IPAddress.TryParse(host, out _) || Uri.CheckHostName(host) == UriHostNameType.Dns;
}

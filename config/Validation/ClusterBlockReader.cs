using System.Globalization;
using Nats.OrleansRoutes.Config.Cluster;
using Nats.OrleansRoutes.Config.Conf;
using Nats.OrleansRoutes.Config.Go;

namespace Nats.OrleansRoutes.Config.Validation;

/// <summary>
/// Reads the options of one <c>cluster {}</c> map as nats-server 2.15.1 does, with its messages
/// and positions, and builds the <see cref="ClusterSpec"/> from them. Unlike nats-server it goes
/// on after a wrong type, so that every error is reported at once.
/// </summary>
internal sealed partial class ClusterBlockReader(Findings findings, string? workingDirectory)
{
    private string? _name;
    private string _host = "0.0.0.0";
    private int _port;
    private bool _listening;
    private string? _advertise;
    private bool _noAdvertise;
    private readonly List<RouteUrl> _routes = [];
    private int _connectRetries;
    private bool _connectBackoff;
    private RouteAuthorization? _authorization;
    private ClusterPermissions? _permissions;
    private ClusterPermissions? _authorizationPermissions;
    private RouteTls? _tls;
    private int _poolSize;
    private readonly List<string> _pinned = [];
    private string? _compressionMode;
    private List<long>? _rttThresholds;
    private TimeSpan? _pingInterval;
    private int? _pingMax;
    private TimeSpan? _writeDeadline;
    private string? _writeTimeout;

    /// <summary>The cluster listens when it has a port or a listen address; only then are pool defaults applied.</summary>
    public bool Listening => _listening || _port != 0;

    public string Host => _host;

    public int Port => _port;

    public string? Advertise => _advertise;

    public void Read(ConfEntry cluster)
    {
        if (cluster.Value is not ConfMap map)
        {
            findings.Error(cluster.Value.Location, $"Expected map to define cluster, got {cluster.Value.GoTypeName}");
            return;
        }
        foreach (var entry in map.Entries)
            ReadOption(entry);
    }

    private void ReadOption(ConfEntry entry)
    {
        var value = entry.Value;
        switch (entry.Key.ToLowerInvariant())
        {
            case "name":
                if (String(value) is { } name)
                {
                    if (name.Contains(' ', StringComparison.Ordinal))
                        findings.Error(value.Location, "cluster name cannot contain spaces");
                    _name = name;
                }
                break;
            case "listen":
                ReadListen(value);
                break;
            case "port":
                if (Int(value) is { } port)
                    _port = (int)port;
                break;
            case "host" or "net":
                if (String(value) is { } host)
                    _host = host;
                break;
            case "authorization":
                ReadAuthorization(entry);
                break;
            case "routes":
                ReadRoutes(value);
                break;
            case "tls":
                ReadTls(entry);
                break;
            case "cluster_advertise" or "advertise":
                _advertise = String(value) ?? _advertise;
                break;
            case "no_advertise":
                _noAdvertise = Bool(value) ?? _noAdvertise;
                break;
            case "connect_retries":
                if (Int(value) is { } retries)
                    _connectRetries = (int)retries;
                break;
            case "connect_backoff":
                _connectBackoff = Bool(value) ?? _connectBackoff;
                break;
            case "permissions":
                _permissions = ReadPermissions(entry) ?? _permissions;
                break;
            case "pool_size":
                if (Int(value) is { } pool)
                    _poolSize = (int)pool;
                break;
            case "accounts":
                ReadPinnedAccounts(value);
                break;
            case "compression":
                ReadCompression(entry);
                break;
            case "ping_interval":
                if (Durations.Read(findings, value, "ping_interval") is { } interval)
                {
                    _pingInterval = interval;
                    if (interval > ClusterSpec.MaxRoutePingInterval)
                        findings.Warning(value.Location, "Cluster 'ping_interval' will reset to 30s which is the max for routes");
                }
                break;
            case "ping_max":
                if (Int(value) is { } pingMax)
                    _pingMax = (int)pingMax;
                break;
            case "write_deadline":
                _writeDeadline = Durations.Read(findings, value, "write_deadline") ?? _writeDeadline;
                break;
            case "write_timeout":
                if (String(value) is { } writeTimeout)
                {
                    if (writeTimeout is "default" or "close" or "retry")
                        _writeTimeout = writeTimeout;
                    else
                        findings.Error(value.Location, "write_timeout must be 'default', 'close' or 'retry'");
                }
                break;
            default:
                if (!entry.UsedAsVariable)
                    findings.UnknownField(entry);
                break;
        }
    }

    /// <summary><c>listen</c>: a port number, or host:port split as Go's net.SplitHostPort splits it.</summary>
    private void ReadListen(ConfValue value)
    {
        switch (value)
        {
            case ConfInteger port:
                _port = (int)port.Value;
                _listening = true;
                break;
            case ConfString text:
                if (!HostPort.TrySplit(text.Value, out var host, out var portText))
                {
                    findings.Error(value.Location, $"could not parse address string {GoQuote.Quote(text.Value)}");
                    return;
                }
                if (!HostPort.TryParseAtoi(portText, out var p))
                {
                    findings.Error(value.Location, $"could not parse port {GoQuote.Quote(portText)}");
                    return;
                }
                _host = host;
                _port = p;
                _listening = true;
                break;
            default:
                findings.Error(value.Location, $"expected port or host:port, got {value.GoTypeName}");
                break;
        }
    }

    private void ReadRoutes(ConfValue value)
    {
        if (value is not ConfArray array)
        {
            findings.WrongType(value, GoTypeNames.Array);
            return;
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in array.Items)
        {
            if (item is not ConfString raw)
            {
                findings.WrongType(item, GoTypeNames.String);
                return;
            }
            if (!seen.Add(raw.Value))
            {
                findings.InvalidUse(item.Location, raw.Value, "Duplicate route entry detected");
                continue;
            }
            var trimmed = raw.Value.Trim();
            if (!GoUrl.TryParse(trimmed, out var url))
            {
                findings.Error(item.Location, $"error parsing route url [{GoQuote.Quote(trimmed)}]");
                continue;
            }
            _routes.Add(new RouteUrl(url.Scheme, url.Host, GoUrl.PortNumber(url.Port), url.User,
                url.Password is null ? null : new Secret(url.Password)));
        }
    }

    private void ReadPinnedAccounts(ConfValue value)
    {
        switch (value)
        {
            case ConfString single:
                _pinned.Add(single.Value);
                break;
            case ConfArray array:
                foreach (var item in array.Items)
                {
                    if (item is ConfString name)
                        _pinned.Add(name.Value);
                    else
                        findings.Error(item.Location, $"error parsing accounts: unsupported type in array {item.GoTypeName}");
                }
                break;
            default:
                findings.Error(value.Location, $"error parsing accounts: unsupported type {value.GoTypeName}");
                break;
        }
    }

    private string? String(ConfValue value)
    {
        if (value is ConfString s)
            return s.Value;
        findings.WrongType(value, GoTypeNames.String);
        return null;
    }

    private long? Int(ConfValue value)
    {
        if (value is ConfInteger i)
            return i.Value;
        findings.WrongType(value, GoTypeNames.Int64);
        return null;
    }

    private bool? Bool(ConfValue value)
    {
        if (value is ConfBool b)
            return b.Value;
        findings.WrongType(value, GoTypeNames.Bool);
        return null;
    }

    /// <summary>The spec as read (defaults applied as nats-server applies them when it starts).</summary>
    public ClusterSpec Build(ServerContext server) => new()
    {
        Name = _name,
        Host = _host,
        Port = _port,
        Advertise = _advertise,
        NoAdvertise = _noAdvertise,
        Routes = new EquatableList<RouteUrl>(_routes),
        ConnectRetries = _connectRetries,
        ConnectBackoff = _connectBackoff,
        Authorization = _authorization,
        Permissions = _permissions ?? _authorizationPermissions,
        Tls = _tls,
        PoolSize = _poolSize == 0 ? ClusterSpec.DefaultPoolSize : _poolSize,
        PinnedAccounts = new EquatableList<string>(_pinned),
        Compression = NormalizedCompression ?? CompressionSpec.Accept,
        PingInterval = _pingInterval,
        PingMax = _pingMax,
        WriteDeadline = _writeDeadline,
        WriteTimeout = _writeTimeout,
        Server = server,
    };

    private static string Seconds(double seconds) => seconds.ToString("F6", CultureInfo.InvariantCulture);
}

namespace Nats.OrleansRoutes.Config.Validation;

/// <summary>
/// The option names each supported nats-server version accepts, at the top level and inside
/// <c>cluster {}</c> (lower case; names are matched case-insensitively).
/// </summary>
internal static class KnownOptions
{
    /// <summary>Every top-level key nats-server 2.15.1 accepts (aliases included).</summary>
    public static readonly HashSet<string> TopLevel2_15 = new(StringComparer.Ordinal)
    {
        "listen", "client_advertise", "port", "server_name", "host", "net", "debug", "trace", "trace_verbose",
        "trace_headers", "logtime", "logtime_utc", "mappings", "maps", "disable_sublist_cache", "no_sublist_cache",
        "accounts", "default_sentinel", "authorization", "http", "https", "http_port", "monitor_port", "https_port",
        "http_base_path", "cluster", "gateway", "leaf", "leafnodes", "store_dir", "storedir", "jetstream", "logfile",
        "log_file", "logfile_size_limit", "log_size_limit", "logfile_max_num", "log_max_num", "syslog", "remote_syslog",
        "pidfile", "pid_file", "ports_file_dir", "prof_port", "prof_block_rate", "max_control_line", "max_payload",
        "max_pending", "proxy_protocol", "max_connections", "max_conn", "max_traced_msg_len", "max_subscriptions",
        "max_subs", "max_sub_tokens", "max_subscription_tokens", "ping_interval", "ping_max", "tls", "ocsp",
        "allow_non_tls", "write_deadline", "write_timeout", "lame_duck_duration", "lame_duck_grace_period", "operator",
        "operators", "roots", "root", "root_operators", "root_operator", "resolver", "account_resolver",
        "accounts_resolver", "resolver_tls", "resolver_preload", "resolver_pinned_accounts", "no_auth_user",
        "system_account", "system", "no_system_account", "no_system", "no_sys_acc", "no_header_support", "trusted",
        "trusted_keys", "connect_error_reports", "reconnect_error_reports", "websocket", "ws", "mqtt", "server_tags",
        "server_metadata", "feature_flags", "default_js_domain", "ocsp_cache", "no_fast_producer_stall",
        "max_closed_clients", "proxies",
    };

    private static readonly HashSet<string> NotIn2_10 = new(StringComparer.Ordinal)
    {
        "default_sentinel", "feature_flags", "proxies", "proxy_protocol", "server_metadata", "trace_headers", "write_timeout",
    };

    private static readonly HashSet<string> NotIn2_9 = new(NotIn2_10, StringComparer.Ordinal)
    {
        "log_max_num", "logfile_max_num", "logtime_utc", "max_closed_clients", "no_fast_producer_stall", "ocsp_cache", "prof_block_rate",
    };

    /// <summary>Every key of <c>cluster {}</c> in 2.15.1.</summary>
    public static readonly HashSet<string> Cluster2_15 = new(StringComparer.Ordinal)
    {
        "name", "listen", "port", "host", "net", "authorization", "routes", "tls", "cluster_advertise", "advertise",
        "no_advertise", "connect_retries", "connect_backoff", "permissions", "pool_size", "accounts", "compression",
        "ping_interval", "ping_max", "write_deadline", "write_timeout",
    };

    private static readonly HashSet<string> ClusterNotIn2_10 = new(StringComparer.Ordinal)
    {
        "connect_backoff", "write_deadline", "write_timeout",
    };

    private static readonly HashSet<string> ClusterNotIn2_9 = new(ClusterNotIn2_10, StringComparer.Ordinal)
    {
        "pool_size", "accounts", "compression", "ping_interval", "ping_max",
    };

    /// <summary>Whether a version knows a top-level key (already lower-cased).</summary>
    public static bool KnowsTopLevel(NatsServerVersion version, string key) =>
        TopLevel2_15.Contains(key) && version switch
        {
            NatsServerVersion.V2_9 => !NotIn2_9.Contains(key),
            NatsServerVersion.V2_10 => !NotIn2_10.Contains(key),
            _ => true,
        };

    /// <summary>Whether a version knows a cluster key (already lower-cased).</summary>
    public static bool KnowsCluster(NatsServerVersion version, string key) =>
        Cluster2_15.Contains(key) && version switch
        {
            NatsServerVersion.V2_9 => !ClusterNotIn2_9.Contains(key),
            NatsServerVersion.V2_10 => !ClusterNotIn2_10.Contains(key),
            _ => true,
        };
}

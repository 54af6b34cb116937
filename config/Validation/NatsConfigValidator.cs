using Nats.OrleansRoutes.Config.Cluster;
using Nats.OrleansRoutes.Config.Conf;
using Nats.OrleansRoutes.Config.Go;

namespace Nats.OrleansRoutes.Config.Validation;

/// <summary>
/// Gives the verdict nats-server 2.15.1 gives when started with a configuration file: the whole
/// grammar, the top-level option names, the server context the cluster needs (server_name,
/// accounts, system account) and every option of <c>cluster {}</c> in full. Other top-level
/// option blocks (jetstream, leafnodes, websocket…) are checked for being known names only.
/// With a target version other than 2.15, options that version does not know are warnings.
/// </summary>
public static class NatsConfigValidator
{
    public static ConfigReport ValidateFile(string path, ValidationOptions? options = null)
    {
        options ??= ValidationOptions.Default;
        var read = ConfReader.ReadFile(path, options.Reader);
        return read.Root is null ? new ConfigReport(path, null, read.Diagnostics) : Validate(path, read.Root, options);
    }

    public static ConfigReport ValidateText(string text, string fileName, ValidationOptions? options = null)
    {
        options ??= ValidationOptions.Default;
        var read = ConfReader.ReadText(text, fileName, options.Reader);
        return read.Root is null ? new ConfigReport(fileName, null, read.Diagnostics) : Validate(fileName, read.Root, options);
    }

    public static ConfigReport Validate(string file, ConfMap root, ValidationOptions? options = null)
    {
        options ??= ValidationOptions.Default;
        var target = options.Target;
        var findings = new Findings();
        if (root.Entries.Count == 0)
        {
            findings.Warning(null, $"{file}: config has no values or is empty");
            return new ConfigReport(file, null, findings.Items);
        }

        var server = ReadServerContext(root, findings);
        ClusterBlockReader? cluster = null;
        foreach (var entry in root.Entries)
        {
            var key = entry.Key.ToLowerInvariant();
            if (!KnownOptions.TopLevel2_15.Contains(key))
            {
                if (!entry.UsedAsVariable)
                    findings.UnknownField(entry);
                continue;
            }
            if (target != NatsServerVersion.V2_15 && !KnownOptions.KnowsTopLevel(target, key))
                findings.Warning(entry.KeyLocation, $"nats-server {target.Display()} does not know option {GoQuote.Quote(entry.Key)} (unknown field)");
            ReadTopLevelOption(entry, key, findings);
            if (key == "cluster")
            {
                cluster = new ClusterBlockReader(findings, options.WorkingDirectory);
                cluster.Read(entry);
                if (target != NatsServerVersion.V2_15)
                    WarnAboutVersion(entry, target, findings);
            }
        }

        if (!findings.HasErrors)
        {
            cluster?.CheckAtStartup(server);
            if (!findings.HasErrors)
                CheckServerAtStartup(root, server, findings);
            if (!findings.HasErrors)
                ListenChecks.Check(root, cluster, findings);
        }
        var spec = cluster?.Build(server);
        return new ConfigReport(file, spec, findings.Items);
    }

    /// <summary>Server-level checks nats-server makes only when it starts.</summary>
    private static void CheckServerAtStartup(ConfMap root, ServerContextBuilder server, Findings findings)
    {
        const long defaultMaxPayload = 1024 * 1024;
        const long defaultMaxPending = 64 * 1024 * 1024;
        var maxPayload = (root.Find("max_payload")?.Value as ConfInteger)?.Value ?? defaultMaxPayload;
        var maxPending = (root.Find("max_pending")?.Value as ConfInteger)?.Value ?? defaultMaxPending;
        if (maxPayload > maxPending)
        {
            findings.StartupError($"max_payload ({maxPayload}) cannot be higher than max_pending ({maxPending})");
            return;
        }
        if (server.SystemAccountSet && !server.NoSystemAccount && server.SystemAccount != ServerContext.DefaultSystemAccount
            && !server.Accounts.Contains(server.SystemAccount))
            findings.StartupError("error resolving system account: account missing");
    }

    /// <summary>Top-level options that change what the cluster block means, or that nats-server checks at parse time.</summary>
    private static void ReadTopLevelOption(ConfEntry entry, string key, Findings findings)
    {
        var value = entry.Value;
        switch (key)
        {
            case "server_name":
                if (value is not ConfString name)
                    findings.WrongType(value, GoTypeNames.String);
                else if (name.Value.Contains(' ', StringComparison.Ordinal))
                    findings.Error(value.Location, "server name cannot contain spaces");
                break;
            case "port":
                if (value is not ConfInteger)
                    findings.WrongType(value, GoTypeNames.Int64);
                break;
            case "host" or "net":
                if (value is not ConfString)
                    findings.WrongType(value, GoTypeNames.String);
                break;
            case "listen":
                if (value is ConfString listen && !HostPort.TrySplit(listen.Value, out _, out _))
                    findings.Error(value.Location, $"could not parse address string {GoQuote.Quote(listen.Value)}");
                else if (value is ConfString listenPort && HostPort.TrySplit(listenPort.Value, out _, out var port) && !HostPort.TryParseAtoi(port, out _))
                    findings.Error(value.Location, $"could not parse port {GoQuote.Quote(port)}");
                else if (value is not (ConfString or ConfInteger))
                    findings.Error(value.Location, $"expected port or host:port, got {value.GoTypeName}");
                break;
            case "ping_interval" or "write_deadline":
                Durations.Read(findings, value, key);
                break;
            case "ping_max" or "max_control_line" or "max_payload" or "max_pending":
                if (value is not ConfInteger)
                    findings.WrongType(value, GoTypeNames.Int64);
                break;
            case "write_timeout":
                if (value is not ConfString mode)
                    findings.WrongType(value, GoTypeNames.String);
                else if (mode.Value is not ("default" or "close" or "retry"))
                    findings.Error(value.Location, "write_timeout must be 'default', 'close' or 'retry'");
                break;
            case "no_system_account" or "no_system" or "no_sys_acc":
                if (value is not ConfBool)
                    findings.WrongType(value, GoTypeNames.Bool);
                break;
            case "accounts":
                ReadAccounts(value, findings);
                break;
        }
    }

    /// <summary>server_name, the accounts defined in the file, and the system account.</summary>
    private static ServerContextBuilder ReadServerContext(ConfMap root, Findings findings)
    {
        var context = new ServerContextBuilder();
        // nats-server looks these two up with exact case; "System_Account" is accepted but ignored.
        var system = root.Entries.LastOrDefault(e => e.Key == "system_account") ?? root.Entries.LastOrDefault(e => e.Key == "system");
        if (system is not null)
        {
            if (system.Value is ConfString name)
            {
                context.SystemAccount = name.Value;
                context.SystemAccountSet = true;
            }
            else
            {
                findings.Error(system.Value.Location, "system account name must be a string");
            }
        }
        foreach (var entry in root.Entries)
        {
            switch (entry.Key.ToLowerInvariant())
            {
                case "server_name" when entry.Value is ConfString name:
                    context.ServerName = name.Value;
                    break;
                case "no_system_account" or "no_system" or "no_sys_acc" when entry.Value is ConfBool flag:
                    context.NoSystemAccount = flag.Value;
                    break;
                case "accounts":
                    context.Accounts = AccountNames(entry.Value);
                    break;
            }
        }
        return context;
    }

    private static List<string> AccountNames(ConfValue value) => value switch
    {
        ConfMap map => [.. map.Entries.Where(e => !e.UsedAsVariable && e.Value is ConfMap).Select(e => e.Key)],
        ConfArray array => [.. array.Items.OfType<ConfString>().Select(s => s.Value)],
        _ => [],
    };

    private static void ReadAccounts(ConfValue value, Findings findings)
    {
        switch (value)
        {
            case ConfMap map:
                foreach (var account in map.Entries.Where(e => !e.UsedAsVariable))
                {
                    if (account.Value is not ConfMap)
                    {
                        findings.Error(account.KeyLocation, "Expected map entries for accounts");
                        continue;
                    }
                    if (account.Key == "$G")
                        findings.Error(account.KeyLocation, "\"$G\" is a Reserved Account");
                }
                break;
            case ConfArray array:
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var name in array.Items.OfType<ConfString>())
                {
                    if (!seen.Add(name.Value))
                        findings.Error(name.Location, $"Duplicate Account Entry: {name.Value}");
                }
                break;
        }
    }

    private static void WarnAboutVersion(ConfEntry cluster, NatsServerVersion target, Findings findings)
    {
        if (cluster.Value is not ConfMap map)
            return;
        foreach (var entry in map.Entries)
        {
            var key = entry.Key.ToLowerInvariant();
            if (KnownOptions.Cluster2_15.Contains(key) && !KnownOptions.KnowsCluster(target, key))
                findings.Warning(entry.KeyLocation, $"nats-server {target.Display()} does not know cluster option {GoQuote.Quote(entry.Key)} (unknown field)");
            if (target != NatsServerVersion.V2_9 || entry.Value is not ConfMap block)
                continue;
            var newer = key switch
            {
                "tls" => new[] { "handshake_first", "min_version" },
                "authorization" => ["auth_callout", "auth_hook"],
                _ => [],
            };
            foreach (var option in block.Entries.Where(e => newer.Contains(e.Key.ToLowerInvariant())))
                findings.Warning(option.KeyLocation, $"nats-server 2.9.10 does not know {key} option {GoQuote.Quote(option.Key)} (unknown field)");
        }
    }

    private sealed class ServerContextBuilder
    {
        public string? ServerName { get; set; }
        public string SystemAccount { get; set; } = ServerContext.DefaultSystemAccount;
        public bool SystemAccountSet { get; set; }
        public bool NoSystemAccount { get; set; }
        public List<string> Accounts { get; set; } = [];

        public static implicit operator ServerContext(ServerContextBuilder b) => new()
        {
            ServerName = b.ServerName,
            SystemAccount = b.SystemAccount,
            NoSystemAccount = b.NoSystemAccount,
            Accounts = new EquatableList<string>(b.Accounts),
        };
    }
}

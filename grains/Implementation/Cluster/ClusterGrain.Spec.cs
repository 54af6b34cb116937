using System.Text;
using Nats.OrleansRoutes.Config.Cluster;
using Nats.OrleansRoutes.Config.Conf;
using Nats.OrleansRoutes.Config.Output;
using Nats.OrleansRoutes.Config.Validation;
using Nats.OrleansRoutes.Grains.Security;

namespace Nats.OrleansRoutes.Grains.Cluster;

// Importing and changing the spec: always through the same validator as `natsroutes conf validate`.
public sealed partial class ClusterGrain
{
    public async Task<ImportResult> Import(ImportRequest request)
    {
        switch (request.Mode)
        {
            case ImportMode.Create when StateExists:
                throw new ClusterRequestException($"cluster {Key} already exists (use cluster set, or import with replace)");
            case ImportMode.Replace when !StateExists:
                throw NotFound();
        }
        var report = NatsConfigValidator.ValidateText(request.ConfigText, request.SourceName);
        if (!report.IsValid)
            throw new ClusterRequestException($"{request.SourceName} is not a valid nats-server configuration:\n" + string.Join('\n', report.Errors));
        var spec = report.Spec ?? throw new ClusterRequestException($"{request.SourceName} has no cluster {{}} block to import");
        if (string.IsNullOrEmpty(spec.Name))
            throw new ClusterRequestException($"{request.SourceName}: the cluster block has no name; the service needs the members' fixed cluster name (add: name: <cluster name>)");

        var created = !StateExists;
        var cluster = Ref;
        if (created)
            await GrainFactory.GetGrain<ITenantGrain>(cluster.Tenant).AddCluster(cluster.Name);

        string? generatedUser = null;
        string? generatedPassword = null;
        var credential = CredentialFrom(spec.Authorization, request.SourceName);
        if (credential is null && State.Credential is null)
        {
            // No route credentials in the file: a hosted cluster must not accept anonymous routes.
            generatedUser = spec.Authorization?.User ?? "route";
            generatedPassword = PasswordGenerator.New();
            credential = new StoredCredential(generatedUser, PasswordHash.Create(generatedPassword, _options.Pbkdf2Iterations));
            spec = spec with { Authorization = (spec.Authorization ?? new RouteAuthorization()) with { User = generatedUser } };
        }

        State.Tenant = cluster.Tenant;
        State.Name = cluster.Name;
        if (created)
            State.CreatedAt = Time.GetUtcNow();
        if (credential is not null)
            State.Credential = credential;
        State.RouteSecrets = SealRouteSecrets(spec);
        State.Spec = spec.WithoutSecrets();
        await CommitChangeAsync();
        LogImported(logger, Key, State.Version, created);

        await TryPlaceAsync();
        return new ImportResult(State.Version, created, [.. report.Warnings.Select(w => w.ToString())], generatedUser, generatedPassword);
    }

    public async Task<long> Set(string option, string value)
    {
        var path = option.Split('.');
        if (path.Any(string.IsNullOrWhiteSpace))
            throw new ClusterRequestException($"option \"{option}\" is not a cluster option path (e.g. pool_size, authorization.timeout)");
        if (path.Length == 2 && path[0].Equals("authorization", StringComparison.OrdinalIgnoreCase)
            && path[1].ToLowerInvariant() is "password" or "pass")
        {
            return await SetPasswordAsync(value);
        }
        var file = RenderFile(Spec, Replace(Spec, path, value, option));
        await ApplyAsync(file, $"cluster set {Key} {option} {value}", routesChanged: path[0].Equals("routes", StringComparison.OrdinalIgnoreCase));
        LogOptionSet(logger, Key, State.Version, option);
        return State.Version;
    }

    public async Task<long> PinAccount(string account)
    {
        CheckAccountName(account);
        var spec = Spec;
        if (spec.PinnedAccounts.Contains(account))
            return State.Version;
        if (!spec.PoolingEnabled)
            throw new ClusterRequestException($"cluster {Key} has pool_size {spec.PoolSize}: nats-server cannot pin accounts without pooling (set pool_size first)");
        var pinned = spec with { PinnedAccounts = new EquatableList<string>([.. spec.PinnedAccounts, account]) };
        await ApplyAsync(RenderFile(pinned), $"pinning {account} in {Key}", routesChanged: false);
        LogPinChanged(logger, Key, State.Version, account, true);
        return State.Version;
    }

    public async Task<long> UnpinAccount(string account)
    {
        CheckAccountName(account);
        var spec = Spec;
        if (!spec.PinnedAccounts.Contains(account))
            return State.Version;
        var unpinned = spec with { PinnedAccounts = new EquatableList<string>(spec.PinnedAccounts.Where(a => a != account)) };
        await ApplyAsync(RenderFile(unpinned), $"unpinning {account} in {Key}", routesChanged: false);
        LogPinChanged(logger, Key, State.Version, account, false);
        return State.Version;
    }

    /// <summary>Validates a changed cluster (rendered as a whole file) and stores it.</summary>
    private async Task ApplyAsync(string file, string change, bool routesChanged)
    {
        var report = NatsConfigValidator.ValidateText(file, Key);
        if (!report.IsValid)
            throw new ClusterRequestException($"{change}: " + string.Join("; ", report.Errors.Select(e => e.Message)));
        var spec = report.Spec!;
        if (routesChanged)
            State.RouteSecrets = SealRouteSecrets(spec);
        State.Spec = spec.WithoutSecrets();
        await CommitChangeAsync();
    }

    /// <summary>The cluster block's entries with <paramref name="value"/> (read as a config value) at <paramref name="path"/>.</summary>
    private static IReadOnlyList<ConfEntry> Replace(ClusterSpec spec, string[] path, string value, string option)
    {
        var block = ReadBlock(ClusterBlockWriter.Write(spec, SecretMode.Reveal));
        var parsed = ConfReader.ReadText($"{Quoted(path[^1])}: {value}\n", $"{option} {value}");
        if (parsed.Root?.Entries is not [var replacement])
        {
            var why = parsed.Diagnostics.Count > 0 ? parsed.Diagnostics[0].Message : "it is not one value";
            throw new ClusterRequestException($"cannot read the value of {option} ({value}): {why}");
        }
        return ReplaceAt(block, path, 0, replacement);
    }

    private static IReadOnlyList<ConfEntry> ReplaceAt(IReadOnlyList<ConfEntry> entries, string[] path, int depth, ConfEntry replacement)
    {
        var list = entries.ToList();
        var at = list.FindIndex(e => e.Key.Equals(path[depth], StringComparison.OrdinalIgnoreCase));
        if (depth == path.Length - 1)
        {
            if (at >= 0)
                list[at] = replacement with { Key = list[at].Key };
            else
                list.Add(replacement);
            return list;
        }
        var inner = at >= 0 && list[at].Value is ConfMap map ? map.Entries : [];
        var nested = new ConfMap(ReplaceAt(inner, path, depth + 1, replacement), replacement.KeyLocation);
        var entry = new ConfEntry(path[depth], replacement.KeyLocation, nested);
        if (at >= 0)
            list[at] = entry;
        else
            list.Add(entry);
        return list;
    }

    private static IReadOnlyList<ConfEntry> ReadBlock(string clusterBlock)
    {
        var read = ConfReader.ReadText(clusterBlock, "current");
        return ((ConfMap)read.Root!.Find("cluster")!.Value).Entries;
    }

    /// <summary>A whole file: the server context the spec came with, then the cluster block.</summary>
    private static string RenderFile(ClusterSpec spec, IReadOnlyList<ConfEntry>? clusterEntries = null)
    {
        var text = new StringBuilder();
        var server = spec.Server;
        if (server.ServerName is not null)
            text.Append("server_name: ").Append(ClusterBlockWriter.Quote(server.ServerName)).Append('\n');
        if (server.SystemAccount != ServerContext.DefaultSystemAccount)
            text.Append("system_account: ").Append(ClusterBlockWriter.Quote(server.SystemAccount)).Append('\n');
        if (server.NoSystemAccount)
            text.Append("no_system_account: true\n");
        if (server.Accounts.Count > 0)
        {
            text.Append("accounts {\n");
            foreach (var account in server.Accounts)
                text.Append("  ").Append(ClusterBlockWriter.Quote(account)).Append(" {}\n");
            text.Append("}\n");
        }
        if (clusterEntries is null)
            text.Append(ClusterBlockWriter.Write(spec, SecretMode.Reveal));
        else
            text.Append("cluster {\n").Append(ConfWriter.WriteEntries(clusterEntries)).Append("}\n");
        return text.ToString();
    }

    private static string Quoted(string key) => ClusterBlockWriter.Quote(key);

    private static void CheckAccountName(string account)
    {
        if (string.IsNullOrEmpty(account) || account.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            throw new ClusterRequestException($"\"{account}\" is not an account name (no spaces or control characters)");
    }

    private List<EncryptedRouteSecret> SealRouteSecrets(ClusterSpec spec) =>
        [.. spec.Routes.Select((route, i) => (route, i))
            .Where(r => r.route.Password is not null && r.route.Password.Reveal() != Secret.Redacted)
            .Select(r => new EncryptedRouteSecret(r.i, secrets.Seal(r.route.Password!.Reveal())))];
}

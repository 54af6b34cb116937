using System.CommandLine;
using System.Text.Json;
using Nats.OrleansRoutes.Client;
using Nats.OrleansRoutes.Config.Go;
using Nats.OrleansRoutes.Config.Output;
using Nats.OrleansRoutes.Grains;

namespace Nats.OrleansRoutes.Cli.Commands;

/// <summary><c>natsroutes cluster …</c>: tenant clusters in the service.</summary>
internal static class ClusterCommands
{
    public static Command Create() => new("cluster", "Manage tenant clusters: import nats-server config, inspect, change, delete.")
    {
        Import(), List(), Show(), Set(), Delete(), Credentials(), MemberConfig(),
    };

    private static Argument<string> ClusterArgument() => new("TENANT/NAME") { Description = "The cluster, e.g. acme/prod." };

    private static Command Import()
    {
        var cluster = ClusterArgument();
        var file = new Argument<string>("FILE") { Description = "A nats-server configuration file with a cluster {} block." };
        var create = new Option<bool>("--create") { Description = "Refuse if the cluster exists already." };
        var replace = new Option<bool>("--replace") { Description = "Refuse if the cluster does not exist yet." };
        var command = new Command("import", "Create or replace a cluster from the cluster {} block of a nats-server configuration file.")
        {
            cluster, file, create, replace,
        };
        command.SetAction((parse, _) => ServiceConnection.RunAsync(parse, async client =>
        {
            var path = parse.GetValue(file)!;
            var text = ReadFile(path);
            var mode = parse.GetValue(create) ? ImportMode.Create : parse.GetValue(replace) ? ImportMode.Replace : ImportMode.CreateOrReplace;
            var target = ServiceConnection.Cluster(parse.GetValue(cluster)!);
            var result = await client.ImportClusterAsync(target, text, path, mode);
            foreach (var warning in result.Warnings)
                Console.Error.WriteLine(warning);
            Console.WriteLine($"{target}: {(result.Created ? "created" : "replaced")}, version {result.Version}");
            if (result.GeneratedPassword is not null)
            {
                Console.WriteLine($"The file had no route password, so one was generated. It is shown this once:");
                Console.WriteLine($"  user:     {result.GeneratedUser}");
                Console.WriteLine($"  password: {result.GeneratedPassword}");
            }
            return 0;
        }));
        return command;
    }

    private static Command List()
    {
        var tenant = new Option<string?>("--tenant") { Description = "Only this tenant's clusters." };
        var limit = new Option<int>("--limit") { Description = "Most clusters to list (1-1000).", DefaultValueFactory = _ => 100 };
        var after = new Option<string?>("--after") { Description = "List from after this cluster: the 'next' a previous page printed (NAME with --tenant, else TENANT/NAME)." };
        var command = new Command("list", "List clusters in name order, a page at a time, with their version and placement.") { tenant, limit, after, ServiceOptions.Json };
        command.SetAction((parse, _) => ServiceConnection.RunAsync(parse, async client =>
        {
            var pageSize = parse.GetValue(limit);
            if (pageSize is < 1 or > NatsRoutesClient.MaxPageSize)
                throw new UsageException($"--limit {pageSize} is not between 1 and {NatsRoutesClient.MaxPageSize}");
            var from = parse.GetValue(after);
            if (from is not null && parse.GetValue(tenant) is null)
                ServiceConnection.Cluster(from);
            var page = await client.ListClustersAsync(parse.GetValue(tenant), pageSize, from);
            var clusters = page.Clusters;
            if (parse.GetValue(ServiceOptions.Json))
            {
                Console.WriteLine(JsonSerializer.Serialize(page, SpecJson.Options));
                return 0;
            }
            var table = new TextTable("CLUSTER", "NAME", "VERSION", "GATEWAY", "ENDPOINT", "POOL", "PINNED");
            foreach (var c in clusters)
            {
                table.Add($"{c.Tenant}/{c.Name}", c.Spec.Name, c.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    c.Placement?.GatewayId, c.Placement?.Endpoint, c.Spec.PoolSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    c.Spec.PinnedAccounts.Count == 0 ? "-" : string.Join(",", c.Spec.PinnedAccounts));
            }
            Console.Write(table);
            if (page.Next is not null)
                Console.WriteLine($"next: {page.Next}  (more may follow: --after {page.Next})");
            return 0;
        }));
        return command;
    }

    private static Command Show()
    {
        var cluster = ClusterArgument();
        var command = new Command("show", "Show a cluster: its spec (secrets redacted), credentials and placement.") { cluster, ServiceOptions.Json };
        command.SetAction((parse, _) => ServiceConnection.RunAsync(parse, async client =>
        {
            var view = await client.GetClusterAsync(ServiceConnection.Cluster(parse.GetValue(cluster)!));
            if (parse.GetValue(ServiceOptions.Json))
            {
                Console.WriteLine(JsonSerializer.Serialize(view, SpecJson.Options));
                return 0;
            }
            Console.WriteLine($"cluster:     {view.Tenant}/{view.Name} (version {view.Version})");
            Console.WriteLine($"credentials: user {view.Credentials.User ?? "-"}, {view.Credentials.Kind} hash" +
                (view.Credentials.PreviousValidUntil is { } until ? $", previous password valid until {until:u}" : ""));
            Console.WriteLine(view.Placement is { } p
                ? $"placement:   gateway {p.GatewayId} at {p.Endpoint}, lease epoch {p.Epoch} until {p.LeaseExpiresAt:u}"
                : "placement:   not placed (no live gateway)");
            Console.WriteLine($"updated:     {view.UpdatedAt:u}");
            Console.Write(ClusterBlockWriter.Write(view.Spec));
            return 0;
        }));
        return command;
    }

    private static Command Set()
    {
        var cluster = ClusterArgument();
        var option = new Argument<string>("OPTION") { Description = "A cluster {} option; dotted for nested ones (authorization.timeout)." };
        var value = new Argument<string>("VALUE") { Description = "The value, written as in a config file (quote durations: '\"5s\"')." };
        var command = new Command("set", "Change one option of a cluster; the result is validated like conf validate.") { cluster, option, value };
        command.SetAction((parse, _) => ServiceConnection.RunAsync(parse, async client =>
        {
            var target = ServiceConnection.Cluster(parse.GetValue(cluster)!);
            var version = await client.SetClusterOptionAsync(target, parse.GetValue(option)!, parse.GetValue(value)!);
            Console.WriteLine($"{target}: version {version}");
            return 0;
        }));
        return command;
    }

    private static Command Delete()
    {
        var cluster = ClusterArgument();
        var command = new Command("delete", "Delete a cluster: its gateway closes its route endpoint.") { cluster };
        command.SetAction((parse, _) => ServiceConnection.RunAsync(parse, async client =>
        {
            var target = ServiceConnection.Cluster(parse.GetValue(cluster)!);
            await client.DeleteClusterAsync(target);
            Console.WriteLine($"{target}: deleted");
            return 0;
        }));
        return command;
    }

    private static Command Credentials()
    {
        var cluster = ClusterArgument();
        var grace = new Option<string>("--grace")
        {
            Description = "How long the previous password keeps working (a Go duration: 30m, 2h). Default 0: at once.",
            DefaultValueFactory = _ => "0s",
        };
        var rotate = new Command("rotate", "Replace the route password; prints the new one, once, alone on standard output.") { cluster, grace };
        rotate.SetAction((parse, _) => ServiceConnection.RunAsync(parse, async client =>
        {
            var text = parse.GetValue(grace)!;
            if (!GoDuration.TryParse(text, out var duration, out var error))
                throw new UsageException($"--grace {text}: {error}");
            var target = ServiceConnection.Cluster(parse.GetValue(cluster)!);
            var password = await client.RotateCredentialsAsync(target, duration);
            // The password alone on stdout, so `... rotate X > password-file` works; the rest on stderr.
            Console.WriteLine(password);
            Console.Error.WriteLine($"{target}: new route password written to standard output (shown this once).");
            Console.Error.WriteLine(duration > TimeSpan.Zero
                ? $"The previous password keeps working for {GoDuration.Format(duration)}: update every member before then."
                : "The previous password no longer works: update every member now.");
            return 0;
        }));
        return new Command("credentials", "Route credentials of a cluster.") { rotate };
    }

    private static Command MemberConfig()
    {
        var cluster = ClusterArgument();
        var server = new Option<string>("--server") { Description = "The member's server_name.", Required = true };
        var listen = new Option<string?>("--listen") { Description = "The member's own cluster listen address (default 0.0.0.0:6222)." };
        var passwordFile = new Option<string?>("--password-file")
        {
            Description = "A file holding the route password; without it the output carries a placeholder.",
        };
        var serverVersion = new Option<string?>("--server-version")
        {
            Description = "The member's nats-server version: 2.9, 2.10 or 2.15 (default). 2.9 gets no pool_size, accounts or compression.",
        };
        var tlsCert = new Option<string?>("--tls-cert") { Description = "The member's certificate file, for the tls {} block of a cluster with TLS on routes." };
        var tlsKey = new Option<string?>("--tls-key") { Description = "The member's private key file (with --tls-cert)." };
        var tlsCa = new Option<string?>("--tls-ca") { Description = "The CA file the member verifies the gateways with (with --tls-cert)." };
        var command = new Command("member-config", "Print the configuration a member server uses to route to the service.")
        {
            cluster, server, listen, passwordFile, serverVersion, tlsCert, tlsKey, tlsCa,
        };
        command.SetAction((parse, _) => ServiceConnection.RunAsync(parse, async client =>
        {
            string? password = null;
            if (parse.GetValue(passwordFile) is { } path)
                password = ReadFile(path).TrimEnd('\r', '\n');
            MemberTlsFiles? tls = null;
            if (parse.GetValue(tlsCert) is { } cert && parse.GetValue(tlsKey) is { } key && parse.GetValue(tlsCa) is { } ca)
                tls = new MemberTlsFiles(cert, key, ca);
            else if (parse.GetValue(tlsCert) is not null || parse.GetValue(tlsKey) is not null || parse.GetValue(tlsCa) is not null)
                throw new UsageException("--tls-cert, --tls-key and --tls-ca go together: give all three");
            var text = await client.GetMemberConfigAsync(ServiceConnection.Cluster(parse.GetValue(cluster)!),
                parse.GetValue(server)!, parse.GetValue(listen), password, parse.GetValue(serverVersion), tls);
            Console.Write(text);
            if (password is null)
                Console.Error.WriteLine($"natsroutes: the route password is the placeholder {NatsRoutesClient.PasswordPlaceholder}; pass --password-file to fill it in");
            return 0;
        }));
        return command;
    }

    private static string ReadFile(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read {path}: {e.Message}");
        }
    }
}

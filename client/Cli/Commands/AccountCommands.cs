using System.CommandLine;
using System.Text.Json;
using Nats.OrleansRoutes.Config.Output;

namespace Nats.OrleansRoutes.Cli.Commands;

/// <summary><c>natsroutes account …</c>: how an account's traffic is routed.</summary>
internal static class AccountCommands
{
    public static Command Create() => new("account", "Route assignment of accounts: pooled or pinned.")
    {
        Pin(true), Pin(false), Show(),
    };

    private static Command Pin(bool pin)
    {
        var cluster = new Argument<string>("TENANT/NAME");
        var account = new Argument<string>("ACCOUNT");
        var command = new Command(pin ? "pin" : "unpin",
            pin ? "Give an account a dedicated route (members must pin it too: use member-config)." : "Move an account back into the connection pool.")
        {
            cluster, account,
        };
        command.SetAction((parse, _) => ServiceConnection.RunAsync(parse, async client =>
        {
            var target = ServiceConnection.Cluster(parse.GetValue(cluster)!);
            var name = parse.GetValue(account)!;
            var version = pin ? await client.PinAccountAsync(target, name) : await client.UnpinAccountAsync(target, name);
            Console.WriteLine($"{target}: account {name} {(pin ? "pinned" : "unpinned")}, version {version}");
            return 0;
        }));
        return command;
    }

    private static Command Show()
    {
        var cluster = new Argument<string>("TENANT/NAME");
        var account = new Argument<string>("ACCOUNT");
        var command = new Command("show", "Show how an account's interest and messages travel.") { cluster, account, ServiceOptions.Json };
        command.SetAction((parse, _) => ServiceConnection.RunAsync(parse, async client =>
        {
            var view = await client.GetAccountAsync(ServiceConnection.Cluster(parse.GetValue(cluster)!), parse.GetValue(account)!);
            if (parse.GetValue(ServiceOptions.Json))
                Console.WriteLine(JsonSerializer.Serialize(view, SpecJson.Options));
            else
                Console.WriteLine($"{view.Tenant}/{view.Cluster} account {view.Account}: {view.Route} (cluster version {view.ClusterVersion})");
            return 0;
        }));
        return command;
    }
}

using System.CommandLine;
using Nats.OrleansRoutes.Cli.Testing;

namespace Nats.OrleansRoutes.Cli.Commands;

/// <summary><c>natsroutes test</c>: installs the real peers, builds once, runs the tiers in order, prints the tally.</summary>
internal static class TestCommand
{
    public static Command Create()
    {
        var tier = new Option<string[]>("--tier")
        {
            Description = "Run only these tiers (unit, protocol, integration); default: all, in that order.",
            AllowMultipleArgumentsPerToken = true,
        };
        tier.AcceptOnlyFromAmong(TestRunner.Tiers);
        var filter = new Option<string?>("--filter")
        {
            Description = "A dotnet test filter, e.g. \"FullyQualifiedName~TranscriptReplay\".",
        };
        var noInstall = new Option<bool>("--no-install")
        {
            Description = "Do not run the peer installer (redis-server, haproxy, nats-server 2.9.10/2.10.27/2.15.1).",
        };
        var command = new Command("test", "Install what the tests need, then build and run every test; the last line is \"N passed, N failed\".")
        {
            tier, filter, noInstall,
        };
        command.SetAction((result, cancellation) =>
        {
            var root = RepoRoot.Find();
            if (root is null)
            {
                Console.Error.WriteLine("natsroutes test: run it from a clone of the repository (Nats.OrleansRoutes.sln not found).");
                return Task.FromResult(2);
            }
            var tiers = result.GetValue(tier) is { Length: > 0 } chosen ? chosen : TestRunner.Tiers;
            var runner = new TestRunner(root, Console.Out, Console.Error);
            return runner.RunAsync(tiers, result.GetValue(filter), install: !result.GetValue(noInstall), cancellation);
        });
        return command;
    }
}

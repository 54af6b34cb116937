using System.CommandLine;
using Nats.OrleansRoutes.Config.Output;
using Nats.OrleansRoutes.Config.Validation;

namespace Nats.OrleansRoutes.Cli.Commands;

/// <summary><c>natsroutes conf validate|show FILE</c>: nats-server configuration files.</summary>
internal static class ConfCommands
{
    public static Command Create() => new("conf", "Read and check nats-server configuration files.")
    {
        Validate(),
        Show(),
    };

    private static Command Validate()
    {
        var file = FileArgument();
        var target = TargetOption();
        var command = new Command("validate",
            "Give the verdict nats-server 2.15.1 gives when started with FILE: every error as FILE:LINE:COL: message. Exit 0 when valid, 1 when not.")
        {
            file, target,
        };
        command.SetAction(result =>
        {
            var report = NatsConfigValidator.ValidateFile(result.GetValue(file)!, new ValidationOptions { Target = ParseTarget(result.GetValue(target)) });
            foreach (var diagnostic in report.Diagnostics)
                (diagnostic.IsError ? Console.Error : Console.Out).WriteLine(diagnostic);
            if (report.IsValid)
                Console.WriteLine($"{report.File}: valid{(report.Spec is null ? " (no cluster block)" : "")}");
            return report.IsValid ? 0 : 1;
        });
        return command;
    }

    private static Command Show()
    {
        var file = FileArgument();
        var json = new Option<bool>("--json") { Description = "Print the normalized cluster spec as JSON (secrets redacted)." };
        var command = new Command("show", "Print the cluster {} block of FILE as the service understands it, with defaults filled in and secrets redacted.")
        {
            file, json,
        };
        command.SetAction(result =>
        {
            var report = NatsConfigValidator.ValidateFile(result.GetValue(file)!);
            foreach (var diagnostic in report.Diagnostics)
                Console.Error.WriteLine(diagnostic);
            if (!report.IsValid)
                return 1;
            if (report.Spec is null)
            {
                Console.Error.WriteLine($"{report.File}: no cluster {{}} block");
                return 1;
            }
            Console.WriteLine(result.GetValue(json) ? SpecJson.Serialize(report.Spec) : ClusterBlockWriter.Write(report.Spec));
            return 0;
        });
        return command;
    }

    private static Argument<string> FileArgument() => new("FILE") { Description = "A nats-server configuration file." };

    private static Option<string?> TargetOption()
    {
        var option = new Option<string?>("--target")
        {
            Description = "Also warn about options this nats-server version does not know: 2.9, 2.10 or 2.15 (default).",
        };
        option.AcceptOnlyFromAmong("2.9", "2.10", "2.15");
        return option;
    }

    private static NatsServerVersion ParseTarget(string? text) =>
        text is not null && NatsServerVersions.TryParse(text, out var version) ? version : NatsServerVersion.V2_15;
}

using System.Text.Json;
using Nats.OrleansRoutes.Tests.Integration.Gateway;
using Nats.OrleansRoutes.TestKit;
using Nats.OrleansRoutes.TestKit.Nats;

namespace Nats.OrleansRoutes.Tests.Integration.Cli;

/// <summary>
/// An operator's session with the natsroutes CLI against real silo and gateway processes, on the
/// docs example: import, show, member-config (accepted by nats-server and used by a real member),
/// rotate the credentials, pin an account. No secret appears in any output that is not meant to carry it.
/// </summary>
public sealed class ClusterCliRoundTripTests(PoolDeployment shared) : IClassFixture<PoolDeployment>, IDisposable
{
    private const string ExamplePassword = "T0pS3cr3tT00!";
    private const string ExampleHashPrefix = "$2a$11$xH8dkGrty1cBNtZjhPeWJewu";
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("cli-round-trip");
    private readonly List<string> _outputs = [];

    private GatewayDeployment Deployment => shared.Deployment;

    public void Dispose() => _dir.Delete(recursive: true);

    private async Task<ProcessResult> RunAsync(params string[] args)
    {
        var result = await NatsRoutesCli.RunAsync([.. args, "--redis", Deployment.Redis.Endpoint, "--prefix", Deployment.Prefix]);
        Assert.True(result.ExitCode == 0, $"natsroutes {string.Join(' ', args)}:\n{result.AllOutput}");
        _outputs.Add(result.AllOutput);
        return result;
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir.FullName, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task Import_show_member_config_rotate_and_pin_on_the_docs_example()
    {
        var example = Path.Combine(RepoPaths.Root, "docs", "examples", "cluster-example.conf");
        await RunAsync("cluster", "import", "docs-tenant/example", example);

        var show = await RunAsync("cluster", "show", "docs-tenant/example");
        Assert.Contains("example", show.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("gw1", show.StandardOutput, StringComparison.Ordinal);
        using (var json = JsonDocument.Parse((await RunAsync("cluster", "show", "docs-tenant/example", "--json")).StandardOutput))
        {
            var placement = json.RootElement.GetProperty("placement");
            Assert.Equal("gw1", placement.GetProperty("gateway_id").GetString());
            Assert.Equal(Deployment.GatewayHost, placement.GetProperty("host").GetString());
            Assert.True(placement.GetProperty("epoch").GetInt64() >= 1);
            Assert.True(placement.GetProperty("lease_expires_at").GetDateTimeOffset() > DateTimeOffset.UtcNow);
        }
        var listed = await RunAsync("cluster", "list", "--tenant", "docs-tenant");
        Assert.Contains("docs-tenant/example", listed.StandardOutput, StringComparison.Ordinal);

        // Without a password file: a placeholder, still a file nats-server accepts.
        var placeholder = await RunAsync("cluster", "member-config", "docs-tenant/example", "--server", "ex-1", "--listen", "127.0.0.1:14244");
        await AssertNatsServerAcceptsAsync(placeholder.StandardOutput, NatsServerBinaries.V2_15);

        // With the example's route password: a real member joins through the gateway.
        var passwordFile = Write("route-password", ExamplePassword + "\n");
        var memberConfig = (await RunAsync("cluster", "member-config", "docs-tenant/example", "--server", "ex-1",
            "--listen", $"127.0.0.1:{FreePorts.Next()}", "--password-file", passwordFile)).StandardOutput;
        _outputs.RemoveAt(_outputs.Count - 1); // the one output meant to carry the password: it is the member's file
        await AssertNatsServerAcceptsAsync(memberConfig, NatsServerBinaries.V2_15);
        await using var member = await NatsServerProcess.StartAsync(NatsServerBinaries.V2_15, "ex-1", memberConfig);
        await Deployment.WaitForMembersAsync(new("docs-tenant", "example"), ["ex-1"]);

        // Rotation: the new password is printed once; a member with it joins; the old one is refused.
        var rotated = await RunAsync("cluster", "credentials", "rotate", "docs-tenant/example", "--grace", "0s");
        _outputs.RemoveAt(_outputs.Count - 1);
        var newPassword = rotated.StandardOutput.Trim();
        Assert.True(newPassword.Length >= 20 && !newPassword.Contains(' ', StringComparison.Ordinal), rotated.AllOutput);
        Assert.Contains("shown this once", rotated.StandardError, StringComparison.Ordinal);
        var newFile = Write("new-password", newPassword);
        var rotatedConfig = (await RunAsync("cluster", "member-config", "docs-tenant/example", "--server", "ex-2",
            "--listen", $"127.0.0.1:{FreePorts.Next()}", "--password-file", newFile, "--server-version", "2.9")).StandardOutput;
        _outputs.RemoveAt(_outputs.Count - 1);
        await using var second = await NatsServerProcess.StartAsync(NatsServerBinaries.V2_9, "ex-2", rotatedConfig);
        await Deployment.WaitForMembersAsync(new("docs-tenant", "example"), ["ex-2"]);
        var oldConfig = (await RunAsync("cluster", "member-config", "docs-tenant/example", "--server", "ex-3",
            "--listen", $"127.0.0.1:{FreePorts.Next()}", "--password-file", passwordFile, "--server-version", "2.10")).StandardOutput;
        _outputs.RemoveAt(_outputs.Count - 1);
        await using var stale = await NatsServerProcess.StartAsync(NatsServerBinaries.V2_10, "ex-3", oldConfig);
        await Eventually.TrueAsync(() => Task.FromResult(stale.Output.Contains("Authorization Violation", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(20), "the old password is refused after rotation without grace");

        // Pinning: account show and member-config follow.
        await RunAsync("account", "pin", "docs-tenant/example", "ACME");
        var account = await RunAsync("account", "show", "docs-tenant/example", "ACME");
        Assert.Contains("pinned", account.StandardOutput, StringComparison.Ordinal);
        var pinnedConfig = await RunAsync("cluster", "member-config", "docs-tenant/example", "--server", "ex-4");
        Assert.Contains("accounts: [\"ACME\"]", pinnedConfig.StandardOutput, StringComparison.Ordinal);
        await AssertNatsServerAcceptsAsync(pinnedConfig.StandardOutput, NatsServerBinaries.V2_10);

        foreach (var output in _outputs)
        {
            Assert.DoesNotContain(ExamplePassword, output, StringComparison.Ordinal);
            Assert.DoesNotContain(ExampleHashPrefix, output, StringComparison.Ordinal);
            Assert.DoesNotContain(newPassword, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Cluster_list_pages_within_a_tenant_and_across_tenants()
    {
        var conf = Write("page.conf", "cluster {\n  name: P\n  authorization { user: r, password: \"page-pass-1\" }\n}\n");
        foreach (var key in new[] { "pg1/b", "pg1/a", "pg1/c", "pg2/a" })
            await RunAsync("cluster", "import", key, conf);

        static (List<string> Keys, string? Next) Page(ProcessResult result)
        {
            using var json = JsonDocument.Parse(result.StandardOutput);
            var keys = json.RootElement.GetProperty("clusters").EnumerateArray()
                .Select(c => $"{c.GetProperty("tenant").GetString()}/{c.GetProperty("name").GetString()}").ToList();
            return (keys, json.RootElement.TryGetProperty("next", out var next) ? next.GetString() : null);
        }

        var first = Page(await RunAsync("cluster", "list", "--tenant", "pg1", "--limit", "2", "--json"));
        Assert.Equal(["pg1/a", "pg1/b"], first.Keys);
        Assert.Equal("b", first.Next);
        var second = Page(await RunAsync("cluster", "list", "--tenant", "pg1", "--limit", "2", "--after", "b", "--json"));
        Assert.Equal(["pg1/c"], second.Keys);
        Assert.Null(second.Next);

        // Across tenants the cursor is TENANT/NAME; "pg0" has no clusters, so the list starts at pg1.
        var across = Page(await RunAsync("cluster", "list", "--after", "pg0/z", "--limit", "3", "--json"));
        Assert.Equal(["pg1/a", "pg1/b", "pg1/c"], across.Keys);
        Assert.Equal("pg1/c", across.Next);
        var next = Page(await RunAsync("cluster", "list", "--after", "pg1/c", "--limit", "1", "--json"));
        Assert.Equal(["pg2/a"], next.Keys);

        var table = await RunAsync("cluster", "list", "--tenant", "pg1", "--limit", "1");
        Assert.Contains("next: a  (more may follow: --after a)", table.StandardOutput, StringComparison.Ordinal);
        var wrong = await NatsRoutesCli.RunAsync("cluster", "list", "--limit", "0", "--redis", Deployment.Redis.Endpoint, "--prefix", Deployment.Prefix);
        Assert.Equal(2, wrong.ExitCode);
        Assert.Contains("--limit 0 is not between 1 and 1000", wrong.StandardError, StringComparison.Ordinal);
    }

    private async Task AssertNatsServerAcceptsAsync(string configuration, string version)
    {
        var file = Write($"check-{Guid.NewGuid():N}.conf", "listen: 127.0.0.1:-1\n" + configuration);
        var result = await ProcessRunner.RunAsync(NatsServerBinaries.PathOf(version), ["-t", "-c", file], TimeSpan.FromSeconds(30));
        Assert.True(result.ExitCode == 0, $"nats-server {version} -t: {result.AllOutput}\n{configuration}");
    }
}

using Nats.OrleansRoutes.TestKit;

namespace Nats.OrleansRoutes.Tests.Integration.Cli;

/// <summary>natsroutes conf validate / show as an operator runs them.</summary>
public sealed class ConfCommandTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("conf-cli");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task The_docs_example_is_valid()
    {
        var file = Write("example.conf", File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "examples", "cluster-example.conf")));
        var result = await NatsRoutesCli.RunAsync("conf", "validate", file);
        Assert.True(result.ExitCode == 0, result.AllOutput);
        Assert.Contains("valid", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Multiple_users_are_refused_with_file_line_and_column()
    {
        var file = Write("users.conf", """
            cluster {
              name: example
              listen: localhost:4244
              authorization {
                users: [ { user: a, password: b } ]
              }
            }
            """);
        var result = await NatsRoutesCli.RunAsync("conf", "validate", file);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{file}:4:3: Cluster authorization does not allow multiple users", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_error_is_reported_at_once()
    {
        var file = Write("many.conf", "cluster {\n  name: \"a b\"\n  pool_size: three\n  colour: blue\n}\n");
        var result = await NatsRoutesCli.RunAsync("conf", "validate", file);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{file}:2:3: cluster name cannot contain spaces", result.StandardError, StringComparison.Ordinal);
        Assert.Contains($"{file}:3:3: interface conversion: interface {{}} is string, not int64", result.StandardError, StringComparison.Ordinal);
        Assert.Contains($"{file}:4:3: unknown field \"colour\"", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Target_2_9_warns_about_v2_route_options()
    {
        var file = Write("pool.conf", "cluster {\n  name: C1\n  listen: 127.0.0.1:-1\n  pool_size: 3\n}\n");
        var result = await NatsRoutesCli.RunAsync("conf", "validate", "--target", "2.9", file);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"{file}:4:3: warning: nats-server 2.9.10 does not know cluster option \"pool_size\"", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_json_redacts_secrets()
    {
        var file = Write("secret.conf", """
            cluster {
              name: C1
              listen: 127.0.0.1:4248
              authorization { user: ruser, password: t0p-s3cret }
              routes: [ "nats-route://ruser:t0p-s3cret@10.0.0.2:6222" ]
            }
            """);
        var result = await NatsRoutesCli.RunAsync("conf", "show", "--json", file);
        Assert.True(result.ExitCode == 0, result.AllOutput);
        Assert.DoesNotContain("t0p-s3cret", result.AllOutput, StringComparison.Ordinal);
        Assert.Contains("\"pool_size\": 3", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("nats-route://ruser:[REDACTED]@10.0.0.2:6222", result.StandardOutput, StringComparison.Ordinal);
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir.FullName, name);
        File.WriteAllText(path, text);
        return path;
    }
}

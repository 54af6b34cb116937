using Nats.OrleansRoutes.Config.Cluster;
using Nats.OrleansRoutes.Config.Output;
using Nats.OrleansRoutes.Config.Validation;
using Nats.OrleansRoutes.TestKit;

namespace Nats.OrleansRoutes.Tests.Integration.Config;

/// <summary>The cluster blocks we write are accepted by the real binaries (nats-server -t).</summary>
public sealed class RealNatsServerAcceptsWrittenBlocksTests
{
    private const string Source = """
        server_name: s1
        listen: 127.0.0.1:-1
        accounts { A { users = [ { user: a, password: a } ] } }
        cluster {
          name: "tenant-prod"
          listen: 127.0.0.1:-1
          authorization { user: ruser, password: "p@ss \"word\"", timeout: "3s" }
          routes: [ "nats-route://ruser:p%40ss@127.0.0.1:24999", nats://127.0.0.1:24998 ]
          connect_retries: 3
          no_advertise: true
          permissions { import { allow: ["a.>"] }, export: ["b.*"] }
          pool_size: 5
          accounts: [A]
          compression: { mode: s2_auto, rtt_thresholds: ["5ms", "20ms"] }
          ping_interval: "20s"
          ping_max: 3
        }
        """;

    public static TheoryData<string> Versions => [NatsServerBinaries.V2_10, NatsServerBinaries.V2_15];

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task A_written_block_passes_nats_server_t(string version)
    {
        var spec = NatsConfigValidator.ValidateText(Source, "source.conf").Spec!;
        var file = WriteConfig(ClusterBlockWriter.Write(spec, SecretMode.Reveal));
        try
        {
            var result = await ProcessRunner.RunAsync(NatsServerBinaries.PathOf(version), ["-t", "-c", file], TimeSpan.FromSeconds(30));
            Assert.True(result.ExitCode == 0, result.AllOutput + "\n" + File.ReadAllText(file));
            var reread = NatsConfigValidator.ValidateFile(file).Spec!;
            Assert.Equal(spec with { Server = new() }, reread with { Server = new() });
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task A_block_for_a_2_9_member_passes_the_2_9_binary()
    {
        var spec = new ClusterSpec
        {
            Name = "C1",
            Host = "127.0.0.1",
            Port = -1,
            Authorization = new RouteAuthorization { User = "ruser", Password = new Secret("rpass") },
            Routes = new EquatableList<RouteUrl>([new RouteUrl("nats-route", "127.0.0.1", 24997, "ruser", new Secret("rpass"))]),
        };
        var file = WriteConfig(ClusterBlockWriter.Write(spec, SecretMode.Reveal));
        try
        {
            var result = await ProcessRunner.RunAsync(NatsServerBinaries.PathOf(NatsServerBinaries.V2_9), ["-t", "-c", file], TimeSpan.FromSeconds(30));
            Assert.True(result.ExitCode == 0, result.AllOutput);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static string WriteConfig(string clusterBlock)
    {
        var file = Path.Combine(Path.GetTempPath(), $"written-{Guid.NewGuid():N}.conf");
        File.WriteAllText(file, "server_name: s1\nlisten: 127.0.0.1:-1\naccounts { A { users = [ { user: a, password: a } ] } }\n" + clusterBlock);
        return file;
    }
}

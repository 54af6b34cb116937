using Nats.OrleansRoutes.TestKit;
using static Nats.OrleansRoutes.Tests.Integration.Deploy.RenderedManifests;

namespace Nats.OrleansRoutes.Tests.Integration.Deploy;

/// <summary>
/// deploy/ checked as far as this machine allows without a container runtime: the kustomizations
/// render offline, the compose file passes <c>docker-compose config</c>, and the rendered workloads
/// are consistent with what the program accepts (ports, probes, variables, grace period).
/// </summary>
[Collection(DeployCollection.Name)]
public sealed class DeploymentFilesTests
{
    public static readonly TheoryData<string> Kustomizations = new() { "base", "overlays/azure", "overlays/aws" };

    /// <summary>The environment variables the program reads (ServiceOptions, SecretsKey).</summary>
    internal static readonly string[] ProgramVariables =
        ["NATSROUTES_REDIS", "NATSROUTES_REDIS_PASSWORD", "NATSROUTES_PREFIX", "NATSROUTES_SECRETS_KEY",
         "NATSROUTES_MTLS_CERT", "NATSROUTES_MTLS_KEY", "NATSROUTES_MTLS_CA"];

    internal static async Task<RenderedManifests> RenderAsync(string kustomization)
    {
        var result = await ProcessRunner.RunAsync("kubectl", ["kustomize", Path.Combine(RepoPaths.Root, "deploy", "kubernetes", kustomization)],
            TimeSpan.FromMinutes(1));
        Assert.True(result.ExitCode == 0, $"kubectl kustomize {kustomization}: {result.AllOutput}");
        return Parse(result.StandardOutput);
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public async Task Each_kustomization_renders_workloads_consistent_with_the_program(string kustomization)
    {
        var manifests = await RenderAsync(kustomization);
        var silo = manifests.Named("Deployment", "natsroutes-silo");
        var gateway = manifests.Named("StatefulSet", "natsroutes-gateway");
        foreach (var workload in new[] { silo, gateway })
        {
            var container = (Dictionary<object, object>)List(PodSpec(workload), "containers").Single();
            var pod = PodProcess.Resolve("pod-0", "127.0.0.1", container, ["natsroutes"], manifests, AnySecret, h => h);
            // Every declared port is one the program is told to listen on; probes name declared ports.
            var told = pod.PortsFromArgs();
            Assert.All(pod.ContainerPorts(), p => Assert.True(told.Contains(p.Value), $"{kustomization}: port {p.Key} ({p.Value}) is not one the args open"));
            Assert.Equal(("/readyz", true), (pod.Probe("readinessProbe")!.Value.Path, told.Contains(pod.Probe("readinessProbe")!.Value.Port)));
            Assert.Equal(("/healthz", true), (pod.Probe("livenessProbe")!.Value.Path, told.Contains(pod.Probe("livenessProbe")!.Value.Port)));
            // Every variable is used: read by the program, or expanded into its args.
            foreach (var name in pod.Environment.Keys)
            {
                var referenced = List(container, "args").Cast<string>().Any(a => a.Contains($"$({name})", StringComparison.Ordinal));
                Assert.True(referenced || ProgramVariables.Contains(name), $"{kustomization}: env {name} is neither read by the program nor used in args");
            }
        }
        // Long enough for the hand-over (10 s) and the drain after it.
        Assert.True(int.Parse(Str(PodSpec(gateway), "terminationGracePeriodSeconds")!, System.Globalization.CultureInfo.InvariantCulture) >= 30);
        var pdb = manifests.Named("PodDisruptionBudget", "natsroutes-gateway");
        Assert.Equal("natsroutes-gateway", Str(Map(Map(Map(pdb, "spec"), "selector"), "matchLabels"), "app.kubernetes.io/name"));
        // One externally reachable Service per gateway pod, for the whole route port range.
        var gatewayContainer = (Dictionary<object, object>)List(PodSpec(gateway), "containers").Single();
        var routePorts = PodProcess.Resolve("natsroutes-gateway-0", "127.0.0.1", gatewayContainer, ["natsroutes"], manifests, AnySecret, h => h)
            .PortsFromArgs();
        for (var i = 0; i < Replicas(gateway); i++)
        {
            var service = manifests.Named("Service", $"natsroutes-gateway-{i}");
            Assert.Equal("LoadBalancer", Str(Map(service, "spec"), "type"));
            Assert.Equal($"natsroutes-gateway-{i}", Str(Map(Map(service, "spec"), "selector"), "statefulset.kubernetes.io/pod-name"));
            var exposed = List(Map(service, "spec"), "ports").Cast<Dictionary<object, object>>()
                .Select(p => int.Parse(Str(p, "targetPort")!, System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
            Assert.Subset(exposed, routePorts.Where(p => p >= 24000).ToHashSet());
        }
    }

    [Fact]
    public void The_program_reads_every_variable_the_manifests_may_use()
    {
        // The names are in the program as string literals (UTF-16 in the metadata's user strings).
        var program = File.ReadAllBytes(DotnetProgram.Dll("Nats.OrleansRoutes.Cli", "natsroutes"));
        foreach (var name in ProgramVariables)
            Assert.True(program.AsSpan().IndexOf(System.Text.Encoding.Unicode.GetBytes(name)) >= 0, $"natsroutes does not mention {name}");
    }

    [Fact]
    public async Task The_compose_file_passes_docker_compose_config()
    {
        var result = await ProcessRunner.RunAsync("docker-compose", ["-f", Path.Combine(RepoPaths.Root, "deploy", "compose", "compose.yaml"), "config", "--quiet"],
            TimeSpan.FromMinutes(1), environment: new Dictionary<string, string> { ["NATSROUTES_SECRETS_KEY"] = "test-only" });
        Assert.True(result.ExitCode == 0, result.AllOutput);
        // Without the secrets key it refuses to start, naming it.
        var missing = await ProcessRunner.RunAsync("docker-compose", ["-f", Path.Combine(RepoPaths.Root, "deploy", "compose", "compose.yaml"), "config", "--quiet"],
            TimeSpan.FromMinutes(1), environment: new Dictionary<string, string> { ["NATSROUTES_SECRETS_KEY"] = "" });
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("NATSROUTES_SECRETS_KEY", missing.AllOutput, StringComparison.Ordinal);
    }

    /// <summary>Any Secret key resolves (the static checks need no values).</summary>
    private static string? AnySecret(string secret, string key) => $"{secret}/{key}";
}

/// <summary>The deployment tests publish and start whole deployments: they run alone, not beside the other tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DeployCollection
{
    public const string Name = "deploy";
}

using System.Globalization;
using System.Security.Cryptography;
using Nats.OrleansRoutes.Client;
using Nats.OrleansRoutes.Grains;
using Nats.OrleansRoutes.TestKit;
using Nats.OrleansRoutes.TestKit.Nats;
using static Nats.OrleansRoutes.Tests.Integration.Deploy.RenderedManifests;

namespace Nats.OrleansRoutes.Tests.Integration.Deploy;

/// <summary>The program as the image would hold it: deploy/docker/Dockerfile's build stage, run once.</summary>
public sealed class PublishedImage : IAsyncLifetime
{
    private readonly string _scratch = Path.Combine(Path.GetTempPath(), "natsroutes-image-" + Guid.NewGuid().ToString("N")[..8]);

    public DockerfileBuild Build { get; private set; } = null!;

    public async Task InitializeAsync() => Build = await DockerfileBuild.RunAsync(_scratch);

    public Task DisposeAsync()
    {
        Directory.Delete(_scratch, recursive: true);
        return Task.CompletedTask;
    }
}

/// <summary>
/// The rendered manifests run: every silo and gateway container of an overlay is started from the
/// published program with exactly its command, args and environment (Redis and addresses mapped to
/// loopback); a cluster is imported, two real nats-servers route to the gateways and relay; then the
/// holder is deleted as Kubernetes deletes a pod (SIGTERM, the grace period, SIGKILL) and the hand-over
/// loses nothing.
/// </summary>
[Collection(DeployCollection.Name)]
public sealed class RenderedDeploymentRunTests(PublishedImage image) : IClassFixture<PublishedImage>
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(2) };

    [Theory]
    [InlineData("overlays/azure")]
    [InlineData("overlays/aws")]
    public async Task An_overlays_silos_and_gateways_run_relay_and_hand_over_on_pod_deletion(string overlay)
    {
        Assert.Contains("dotnet publish client/Cli/Nats.OrleansRoutes.Cli.csproj -c Release -o /app", image.Build.PublishCommand, StringComparison.Ordinal);
        var manifests = await DeploymentFilesTests.RenderAsync(overlay);
        var config = manifests.ConfigMap("natsroutes");
        await using var redis = await RedisServer.StartAsync(password: "redis-" + Guid.NewGuid().ToString("N")[..8]);
        var secretsKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        string? Secret(string name, string key) => (name, key) switch
        {
            ("natsroutes-redis", "configuration") => redis.Endpoint,
            ("natsroutes-redis", "password") => redis.Password,
            ("natsroutes-secrets", "secrets-key") => secretsKey,
            _ => null,
        };

        // Pods: each gets a loopback address, its network namespace here: 0.0.0.0 in args becomes it.
        // The gateways' advertised DNS names (POD.<gateway-domain>) are left as written; the members'
        // route URLs are mapped to the pods below, as DNS and the load balancers would.
        var podIps = new Dictionary<string, string>(StringComparer.Ordinal);
        string PodIp(string pod) => podIps.TryGetValue(pod, out var ip) ? ip : podIps[pod] = LoopbackHosts.Next();
        var domain = "." + config["gateway-domain"];

        var pods = new List<PodProcess>();
        foreach (var (kind, name) in new[] { ("Deployment", "natsroutes-silo"), ("StatefulSet", "natsroutes-gateway") })
        {
            var workload = manifests.Named(kind, name);
            var container = (Dictionary<object, object>)List(PodSpec(workload), "containers").Single();
            for (var i = 0; i < Replicas(workload); i++)
            {
                var podName = $"{name}-{i}";
                var ip = PodIp(podName);
                pods.Add(PodProcess.Resolve(podName, ip, container, image.Build.Entrypoint, manifests, Secret, v => v == "0.0.0.0" ? ip : v));
            }
        }
        try
        {
            foreach (var pod in pods)
            {
                pod.Process = RunningProcess.Start(pod.PodName, pod.Command[0], [.. pod.Command.Skip(1), .. pod.Args], image.Build.App,
                    pod.Environment.ToDictionary());
            }
            foreach (var pod in pods)
                await ReadyAsync(pod);

            await using var client = await NatsRoutesClient.ConnectAsync(new NatsRoutesClientOptions
            {
                Redis = new RedisSettings(redis.Endpoint, redis.Password),
                KeyPrefix = config["prefix"],
            });
            var cluster = new ClusterRef("acme", "k8s");
            await client.ImportClusterAsync(cluster, """
                cluster {
                  name: k8s
                  listen: 127.0.0.1:-1
                  authorization { user: ruser, password: "k8s-r0ute-pass" }
                }
                """, "k8s.conf");
            await Eventually.TrueAsync(async () => (await client.GetClusterAsync(cluster)).Placement is not null, TimeSpan.FromSeconds(30), "the cluster is placed");
            var gateways = pods.Where(p => p.PodName.StartsWith("natsroutes-gateway-", StringComparison.Ordinal)).ToList();
            await Eventually.TrueAsync(async () => (await client.ListGatewaysAsync()).Count(g => g.Live) == gateways.Count, TimeSpan.FromSeconds(30), "both gateways are registered");

            // Members route to the advertised names, which "DNS" resolves to the gateway pods.
            var members = new List<NatsServerProcess>();
            try
            {
                foreach (var (server, version) in new[] { ("k8s-a", NatsServerBinaries.V2_15), ("k8s-b", NatsServerBinaries.V2_10) })
                {
                    var block = await client.GetMemberConfigAsync(cluster, server, $"127.0.0.1:{FreePorts.Next().ToString(CultureInfo.InvariantCulture)}",
                        "k8s-r0ute-pass", serverVersion: version == NatsServerBinaries.V2_10 ? "2.10" : null);
                    foreach (var gateway in gateways)
                    {
                        var name = gateway.PodName + domain;
                        Assert.Contains($"@{name}:", block, StringComparison.Ordinal); // both gateways, by their advertised names
                        block = block.Replace($"@{name}:", $"@{gateway.PodIp}:", StringComparison.Ordinal);
                    }
                    members.Add(await NatsServerProcess.StartAsync(version, server, block));
                }
                await using var onA = await members[0].ConnectAsync();
                await using var onB = await members[1].ConnectAsync();
                var received = await onB.SubscribeAsync("k8s.stream");
                await Eventually.TrueAsync(async () =>
                {
                    await onA.PublishAsync("k8s.stream", "probe");
                    await Task.Delay(100);
                    return received.Count > 0;
                }, TimeSpan.FromSeconds(40), "a message crosses from k8s-a to k8s-b through the gateways");
                await received.DrainAsync(TimeSpan.FromMilliseconds(300));

                // A steady stream while the holder's pod is deleted: SIGTERM, then the manifest's grace period.
                var holderId = (await client.GetClusterAsync(cluster)).Placement!.GatewayId;
                var holder = gateways.Single(g => g.PodName == holderId);
                var grace = TimeSpan.FromSeconds(int.Parse(Str(PodSpec(manifests.Named("StatefulSet", "natsroutes-gateway")), "terminationGracePeriodSeconds")!,
                    CultureInfo.InvariantCulture));
                using var stop = new CancellationTokenSource();
                var sent = 0;
                var streaming = Task.Run(async () =>
                {
                    while (!stop.IsCancellationRequested)
                    {
                        await onA.PublishAsync("k8s.stream", sent.ToString(CultureInfo.InvariantCulture));
                        sent++;
                        await Task.Delay(20, CancellationToken.None);
                    }
                });
                await Task.Delay(300);
                var clock = System.Diagnostics.Stopwatch.StartNew();
                await holder.Process!.StopAsync(grace);
                Assert.True(clock.Elapsed < grace, $"{holder.PodName} needed more than its grace period ({grace}) and was killed");
                var heir = gateways.Single(g => g != holder);
                await Eventually.TrueAsync(async () => (await client.GetClusterAsync(cluster)).Placement?.GatewayId == heir.PodName,
                    TimeSpan.FromSeconds(20), $"{heir.PodName} holds the cluster");
                await Task.Delay(1000);
                await stop.CancelAsync();
                await streaming;
                var numbers = (await received.DrainAsync(TimeSpan.FromSeconds(1))).Select(m => m.Text)
                    .Where(t => t != "probe").Select(t => int.Parse(t, CultureInfo.InvariantCulture)).ToHashSet();
                var missing = Enumerable.Range(0, sent).Where(n => !numbers.Contains(n)).ToList();
                Assert.True(missing.Count == 0, $"the hand-over lost {missing.Count} of {sent}: {string.Join(", ", missing.Take(20))}\n{holder.Process.Output}");
            }
            finally
            {
                foreach (var member in members)
                    await member.DisposeAsync();
            }
        }
        finally
        {
            foreach (var pod in pods)
            {
                if (pod.Process is { } process)
                    await process.DisposeAsync();
            }
        }
    }

    /// <summary>The container's readiness probe passes, as the kubelet would see it; a process that exits (an unknown flag, a bad variable) fails the test.</summary>
    private static async Task ReadyAsync(PodProcess pod)
    {
        var (path, port) = pod.Probe("readinessProbe") ?? throw new InvalidOperationException($"{pod.PodName} has no readiness probe");
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(pod.Process!.HasExited, $"{pod.PodName} exited:\n{pod.Process.Output}");
            try
            {
                using var response = await Http.GetAsync($"http://{pod.PodIp}:{port.ToString(CultureInfo.InvariantCulture)}{path}");
                if (response.IsSuccessStatusCode)
                    return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"{pod.PodName} never became ready at {path}:\n{pod.Process!.Output}");
    }
}

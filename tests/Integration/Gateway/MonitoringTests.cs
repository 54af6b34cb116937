using System.Text.Json;
using Nats.OrleansRoutes.Grains;
using Nats.OrleansRoutes.TestKit;

namespace Nats.OrleansRoutes.Tests.Integration.Gateway;

/// <summary>What an operator sees: the gateway's HTTP endpoints and `natsroutes status`.</summary>
public sealed class MonitoringTests(PoolDeployment shared) : IClassFixture<PoolDeployment>
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private static readonly ClusterRef Cluster = new("acme", "monitored");

    private GatewayDeployment Deployment => shared.Deployment;

    [Fact]
    public void The_gateway_runs_socket_completions_on_the_socket_engine_threads()
    {
        Assert.Contains("socket completions inline", Deployment.Gateway.Output, StringComparison.Ordinal);
        // With completions inline the runtime runs one socket-engine thread per core, else one in all.
        var engines = Directory.GetDirectories($"/proc/{Deployment.Gateway.Id}/task")
            .Count(task => File.ReadAllText(Path.Combine(task, "comm")).Trim() == ".NET Sockets");
        Assert.Equal(Environment.ProcessorCount, engines);
    }

    [Fact]
    public async Task Metrics_and_status_show_the_routes_their_traffic_and_refusals()
    {
        await Deployment.CreateClusterAsync(Cluster, """
            cluster {
              name: monitored
              listen: 127.0.0.1:-1
              authorization { user: ruser, password: "m0nitor-pass" }
            }
            """);
        var first = await Deployment.StartMemberAsync(Cluster, NatsServerBinaries.V2_15, "mon-1", "m0nitor-pass");
        var second = await Deployment.StartMemberAsync(Cluster, NatsServerBinaries.V2_10, "mon-2", "m0nitor-pass");
        await Deployment.StartMemberAsync(Cluster, NatsServerBinaries.V2_15, "mon-wrong", "not-the-password");
        await Deployment.WaitForMembersAsync(Cluster, ["mon-1", "mon-2"]);
        var publisher = await Deployment.ConnectAsync(first);
        var subscriber = await Deployment.ConnectAsync(second);
        var subscription = await subscriber.SubscribeAsync("mon.>");
        await InterestProbe.WaitAsync(subscriber, publisher);
        for (var n = 0; n < 25; n++)
            await publisher.PublishAsync("mon.x", "payload");
        Assert.Equal(25, (await subscription.CollectAsync(25, TimeSpan.FromSeconds(10))).Count);

        Assert.Equal("ok\n", await Http.GetStringAsync($"{Deployment.MonitorUrl}/healthz"));
        Assert.Equal("ready\n", await Http.GetStringAsync($"{Deployment.MonitorUrl}/readyz"));

        string metrics = "";
        await Eventually.TrueAsync(async () =>
        {
            metrics = await Http.GetStringAsync($"{Deployment.MonitorUrl}/metrics");
            // A fresh lease is first renewed by the renewal round, not when serving starts.
            return Value(metrics, "natsroutes_gateway_handshake_failures_total{reason=\"authorization\"}") >= 1
                && Value(metrics, "natsroutes_gateway_messages_in_total") >= 25
                && Value(metrics, "natsroutes_gateway_lease_renewals_total{outcome=\"renewed\"}") >= 1;
        }, TimeSpan.FromSeconds(20), "/metrics counts the traffic, the refused handshake and a lease renewal");
        Assert.True(Value(metrics, "natsroutes_gateway_messages_out_total") >= 25, metrics);
        Assert.True(Value(metrics, "natsroutes_gateway_bytes_in_total") >= 25 * "payload".Length, metrics);
        Assert.True(Value(metrics, "natsroutes_gateway_connections_opened_total") >= 2, metrics);
        // Every grain call by call: the refused handshake asked the cluster grain.
        Assert.True(Value(metrics, "natsroutes_gateway_grain_call_duration_milliseconds_count{call=\"Nats.OrleansRoutes.Grains.IClusterGrain.Authorize\"}") >= 1, metrics);
        Assert.True(Value(metrics, "natsroutes_gateway_grain_call_duration_milliseconds_count{call=\"Nats.OrleansRoutes.Grains.IGatewayDirectoryGrain.Heartbeat\"}") >= 1, metrics);
        Assert.True(Value(metrics, "natsroutes_gateway_clusters_served") >= 1, metrics);
        Assert.True(Value(metrics, "natsroutes_gateway_members") >= 2, metrics);
        Assert.Contains("# TYPE natsroutes_gateway_slow_consumers_total counter", metrics, StringComparison.Ordinal);

        var status = await NatsRoutesCli.RunAsync("status", Cluster.Key, "--redis", Deployment.Redis.Endpoint, "--prefix", Deployment.Prefix);
        Assert.True(status.ExitCode == 0, status.AllOutput);
        Assert.Contains($"placement: gateway gw1 at {Deployment.GatewayHost}:", status.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("state:     serving", status.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("mon-1", status.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("pinned $SYS", status.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("pool 0", status.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("mon-wrong", status.StandardOutput, StringComparison.Ordinal);

        var json = await NatsRoutesCli.RunAsync("status", Cluster.Key, "--json", "--redis", Deployment.Redis.Endpoint, "--prefix", Deployment.Prefix);
        Assert.True(json.ExitCode == 0, json.AllOutput);
        using var document = JsonDocument.Parse(json.StandardOutput);
        var members = document.RootElement.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("server_name").GetString()).Order().ToList();
        Assert.Equal(["mon-1", "mon-2"], members);
        var routes = document.RootElement.GetProperty("members").EnumerateArray().SelectMany(m => m.GetProperty("connections").EnumerateArray()).ToList();
        Assert.True(routes.Sum(r => r.GetProperty("in_msgs").GetInt64()) >= 25);

        var missing = await NatsRoutesCli.RunAsync("status", "acme/no-such-cluster", "--redis", Deployment.Redis.Endpoint, "--prefix", Deployment.Prefix);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("acme/no-such-cluster", missing.StandardError, StringComparison.Ordinal);
    }

    /// <summary>The value of one sample line (name with labels, exactly) in the text format; -1 when absent.</summary>
    private static double Value(string metrics, string sample) => PrometheusText.Value(metrics, sample) ?? -1;
}

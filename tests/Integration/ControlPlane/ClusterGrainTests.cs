using System.Text;
using Nats.OrleansRoutes.Client;
using Nats.OrleansRoutes.Grains;
using Nats.OrleansRoutes.Protocol;
using Nats.OrleansRoutes.TestKit;
using StackExchange.Redis;

namespace Nats.OrleansRoutes.Tests.Integration.ControlPlane;

/// <summary>The cluster, account, tenant and directory grains, on Orleans silos in the test process.</summary>
public sealed class ClusterGrainTests
{
    private const string Conf = """
        server_name: member-a
        accounts { A { users = [ { user: a, password: a } ] } }
        cluster {
          name: C1
          listen: 127.0.0.1:-1
          authorization { user: ruser, password: "sup3r-s3cret" }
          routes: [ "nats-route://ruser:r0ute-s3cret@10.0.0.2:6222" ]
          pool_size: 3
        }
        """;

    /// <summary>A cluster that sets every option member-config carries over.</summary>
    private const string FullConf = """
        server_name: member-a
        accounts { A { users = [ { user: a, password: a } ] } }
        cluster {
          name: C1
          listen: 127.0.0.1:-1
          authorization { user: ruser, password: "sup3r-s3cret" }
          routes: [ "nats-route://ruser:r0ute-s3cret@10.0.0.2:6222" ]
          connect_backoff: true
          permissions { import: { allow: [">"], deny: ["secret.>"] }, export: ["orders.>", "_INBOX.>"] }
          compression: { mode: s2_auto, rtt_thresholds: [10ms, 50ms, 100ms] }
          ping_interval: "5s"
          ping_max: 4
          write_deadline: "3s"
          write_timeout: close
          TLS_BLOCK
        }
        """;

    private static RouteHandshake Handshake(string? user = "ruser", string? password = "sup3r-s3cret", string? cluster = "C1") =>
        new(user, password, null, cluster, null, null, null, "127.0.0.1:5000");

    [Fact]
    public async Task An_invalid_file_is_refused_with_the_validators_messages()
    {
        await using var plane = await InProcessControlPlane.StartAsync();
        var error = await Assert.ThrowsAsync<ClusterRequestException>(() => plane.Cluster("acme/bad").Import(
            new ImportRequest("cluster {\n  name: bad\n  pool_size: three\n}\n", "bad.conf")));
        Assert.Contains("bad.conf:3:3: interface conversion: interface {} is string, not int64", error.Message, StringComparison.Ordinal);
        Assert.Null(await plane.Cluster("acme/bad").Find());
    }

    [Fact]
    public async Task No_secret_is_stored_or_shown()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var plane = await InProcessControlPlane.StartAsync(redis: new RedisSettings(redis.Endpoint));
        await plane.Cluster("acme/prod").Import(new ImportRequest(Conf, "prod.conf"));
        var view = await plane.Cluster("acme/prod").Get();
        var stored = await StoredTextAsync(redis);
        Assert.Contains("\"PoolSize\":3", stored, StringComparison.Ordinal); // the state is there, as JSON
        foreach (var text in new[] { System.Text.Json.JsonSerializer.Serialize(view), view.ToString(), stored })
        {
            Assert.DoesNotContain("sup3r-s3cret", text, StringComparison.Ordinal);
            Assert.DoesNotContain("r0ute-s3cret", text, StringComparison.Ordinal);
        }
        Assert.Equal("[REDACTED]", view.Spec.Authorization!.Password!.Reveal());
        Assert.Equal("[REDACTED]", view.Spec.Routes[0].Password!.Reveal());
        Assert.Equal("pbkdf2", view.Credentials.Kind);
    }

    [Fact]
    public async Task Every_change_bumps_the_version_even_across_delete_and_recreate()
    {
        await using var plane = await InProcessControlPlane.StartAsync();
        var cluster = plane.Cluster("acme/prod");
        var v1 = (await cluster.Import(new ImportRequest(Conf, "prod.conf"))).Version;
        var v2 = await cluster.Set("pool_size", "5");
        var v3 = await plane.Grains.GetGrain<IAccountGrain>("acme/prod/A").Pin();
        await cluster.RotateCredentials(TimeSpan.Zero);
        var v4 = (await cluster.Get()).Version;
        await cluster.Delete();
        var v5 = (await cluster.Import(new ImportRequest(Conf, "prod.conf"))).Version;
        Assert.True(v1 < v2 && v2 < v3 && v3 < v4 && v4 < v5, $"{v1} {v2} {v3} {v4} {v5}");
        Assert.Equal(3, (await cluster.Get()).Spec.PoolSize); // the re-created cluster is what was imported, not the old one
    }

    [Fact]
    public async Task Authorize_checks_credentials_and_cluster_name()
    {
        await using var plane = await InProcessControlPlane.StartAsync();
        var cluster = plane.Cluster("acme/prod");
        await cluster.Import(new ImportRequest(Conf, "prod.conf"));
        Assert.True((await cluster.Authorize(Handshake())).Allowed);
        var wrong = await cluster.Authorize(Handshake(password: "nope"));
        Assert.False(wrong.Allowed);
        Assert.Equal("authentication error - User \"ruser\"", wrong.Reason);
        Assert.False((await cluster.Authorize(Handshake(user: "other"))).Allowed);
        Assert.False((await cluster.Authorize(Handshake(password: null))).Allowed);
        var name = await cluster.Authorize(Handshake(cluster: "C2"));
        Assert.Equal("cluster name \"C2\" does not match \"C1\"", name.Reason);
    }

    [Fact]
    public async Task Rotation_keeps_the_old_password_for_the_grace_period_only()
    {
        await using var plane = await InProcessControlPlane.StartAsync();
        var cluster = plane.Cluster("acme/prod");
        await cluster.Import(new ImportRequest(Conf, "prod.conf"));
        var fresh = await cluster.RotateCredentials(TimeSpan.FromMilliseconds(700));
        Assert.True((await cluster.Authorize(Handshake(password: fresh))).Allowed);
        Assert.True((await cluster.Authorize(Handshake())).Allowed); // old one, still in grace
        await Task.Delay(900);
        Assert.False((await cluster.Authorize(Handshake())).Allowed);
        Assert.True((await cluster.Authorize(Handshake(password: fresh))).Allowed);
    }

    [Fact]
    public async Task An_imported_bcrypt_hash_stays_a_hash_and_verifies()
    {
        await using var plane = await InProcessControlPlane.StartAsync();
        var cluster = plane.Cluster("acme/docs");
        var text = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "examples", "cluster-example.conf"));
        await cluster.Import(new ImportRequest(text, "cluster-example.conf"));
        Assert.Equal("bcrypt", (await cluster.Get()).Credentials.Kind);
        Assert.True((await cluster.Authorize(new RouteHandshake("route_user", "T0pS3cr3tT00!", null, "example", null, null, null, "r"))).Allowed);
        Assert.False((await cluster.Authorize(new RouteHandshake("route_user", "T0pS3cr3tT00", null, "example", null, null, null, "r"))).Allowed);
    }

    [Fact]
    public async Task A_file_without_credentials_gets_a_generated_password()
    {
        await using var plane = await InProcessControlPlane.StartAsync();
        var cluster = plane.Cluster("acme/open");
        var result = await cluster.Import(new ImportRequest("cluster {\n name: C1\n listen: 127.0.0.1:-1\n}\n", "open.conf"));
        Assert.Equal("route", result.GeneratedUser);
        Assert.NotNull(result.GeneratedPassword);
        Assert.False((await cluster.Authorize(Handshake(user: null, password: null))).Allowed);
        Assert.True((await cluster.Authorize(Handshake(user: "route", password: result.GeneratedPassword))).Allowed);
    }

    [Fact]
    public async Task Pinning_an_account_changes_its_route_and_the_spec()
    {
        await using var plane = await InProcessControlPlane.StartAsync();
        await plane.Cluster("acme/prod").Import(new ImportRequest(Conf, "prod.conf"));
        var account = plane.Grains.GetGrain<IAccountGrain>("acme/prod/ACME");
        var pooled = await account.Get();
        Assert.Equal((false, PoolIndex.Of("ACME", 3)), (pooled.Pinned, pooled.PoolIndex!.Value));
        await account.Pin();
        Assert.True((await account.Get()).Pinned);
        Assert.Contains("ACME", (await plane.Cluster("acme/prod").Get()).Spec.PinnedAccounts);
        Assert.True((await plane.Grains.GetGrain<IAccountGrain>("acme/prod/$SYS").Get()).Pinned); // pinned by nats-server itself
        await account.Unpin();
        Assert.False((await account.Get()).Pinned);
    }

    [Fact]
    public async Task Set_validates_like_conf_validate_and_keeps_the_rest()
    {
        await using var plane = await InProcessControlPlane.StartAsync();
        var cluster = plane.Cluster("acme/prod");
        await cluster.Import(new ImportRequest(Conf, "prod.conf"));
        await cluster.Set("authorization.timeout", "\"3s\"");
        var spec = (await cluster.Get()).Spec;
        Assert.Equal(TimeSpan.FromSeconds(3), spec.Authorization!.Timeout);
        Assert.Equal("ruser", spec.Authorization.User);
        Assert.True((await cluster.Authorize(Handshake())).Allowed); // the credential survived
        var error = await Assert.ThrowsAsync<ClusterRequestException>(() => cluster.Set("compression", "5"));
        Assert.Contains("field \"compression\" should be a boolean or a structure, got int64", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tenant_cannot_exceed_its_quota()
    {
        await using var plane = await InProcessControlPlane.StartAsync();
        await plane.Grains.GetGrain<ITenantGrain>("small").SetQuota(1);
        await plane.Cluster("small/one").Import(new ImportRequest(Conf, "one.conf"));
        var error = await Assert.ThrowsAsync<ClusterRequestException>(() => plane.Cluster("small/two").Import(new ImportRequest(Conf, "two.conf")));
        Assert.Contains("quota", error.Message, StringComparison.Ordinal);
        Assert.Equal(["one"], (await plane.Grains.GetGrain<ITenantGrain>("small").ListClusters(null, 10)).Names);
        Assert.Equal(1, (await plane.Grains.GetGrain<ITenantGrain>("small").Get()).Clusters);
    }

    [Fact]
    public async Task Cluster_names_page_in_ordinal_order()
    {
        await using var plane = await InProcessControlPlane.StartAsync();
        foreach (var name in new[] { "c", "a", "B", "b" })
            await plane.Cluster($"acme/{name}").Import(new ImportRequest(Conf, $"{name}.conf"));
        var tenant = plane.Grains.GetGrain<ITenantGrain>("acme");
        var first = await tenant.ListClusters(null, 3);
        Assert.Equal(["B", "a", "b"], first.Names);
        Assert.Equal("b", first.Next);
        var second = await tenant.ListClusters(first.Next, 3);
        Assert.Equal(["c"], second.Names);
        Assert.Null(second.Next);
        Assert.Equal(["acme"], (await plane.Grains.GetGrain<ITenantRegistryGrain>(ITenantRegistryGrain.Key).List(null, 10)).Names);
        await Assert.ThrowsAsync<ClusterRequestException>(() => tenant.ListClusters(null, 0));
    }

    [Fact]
    public async Task A_stale_activation_cannot_overwrite_newer_state()
    {
        // Two Orleans clusters with one service id on one Redis: each activates the same cluster
        // grain, as duplicate activations do while membership changes.
        await using var redis = await RedisServer.StartAsync();
        var settings = new RedisSettings(redis.Endpoint);
        var service = "stale-" + Guid.NewGuid().ToString("N")[..8];
        await using var left = await InProcessControlPlane.StartAsync(redis: settings, serviceId: service);
        await using var right = await InProcessControlPlane.StartAsync(redis: settings, serviceId: service);
        await left.Cluster("acme/prod").Import(new ImportRequest(Conf, "prod.conf"));
        Assert.Equal(3, (await right.Cluster("acme/prod").Get()).Spec.PoolSize); // right's activation has read version 1

        var newer = await left.Cluster("acme/prod").Set("pool_size", "5");
        await Assert.ThrowsAsync<Orleans.Storage.InconsistentStateException>(() => right.Cluster("acme/prod").Set("pool_size", "7"));

        // The refused write left storage alone; the stale activation was dropped and the next call reads the truth.
        var fresh = await right.Cluster("acme/prod").Get();
        Assert.Equal((newer, 5), (fresh.Version, fresh.Spec.PoolSize));
        Assert.Equal(newer + 1, await right.Cluster("acme/prod").Set("pool_size", "7"));
        // Now the left activation is the stale one: its write is refused in turn.
        await Assert.ThrowsAsync<Orleans.Storage.InconsistentStateException>(() => left.Cluster("acme/prod").Set("pool_size", "9"));
        Assert.Equal(7, (await right.Cluster("acme/prod").Get()).Spec.PoolSize);
    }

    /// <summary>Every grain state the Redis storage provider wrote, as text.</summary>
    private static async Task<string> StoredTextAsync(RedisServer redis)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.Endpoint);
        var text = new StringBuilder();
        foreach (var key in connection.GetServer(redis.Endpoint).Keys(pattern: "*/state/*"))
        {
            foreach (var field in await connection.GetDatabase().HashGetAllAsync(key))
                text.Append(key).Append(' ').Append(field.Name).Append('=').Append(field.Value).Append('\n');
        }
        return text.ToString();
    }

    [Fact]
    public async Task Placement_takes_a_live_gateway_and_only_an_expired_lease_moves_it()
    {
        await using var plane = await InProcessControlPlane.StartAsync();
        await plane.Directory.Register(new GatewayRegistration("gw-a", "127.0.0.2", 24500, 24599, null, 100));
        var cluster = plane.Cluster("acme/prod");
        await cluster.Import(new ImportRequest(Conf, "prod.conf"));
        var placed = (await cluster.Get()).Placement!;
        Assert.Equal(("gw-a", "127.0.0.2", 24500), (placed.GatewayId, placed.Host, placed.Port));

        await plane.Directory.Register(new GatewayRegistration("gw-b", "127.0.0.3", 24500, 24599, null, 100));
        Assert.True((await cluster.RenewLease("gw-a", placed.Epoch)).Held);
        Assert.False((await cluster.RenewLease("gw-b", placed.Epoch)).Held);
        Assert.Equal("gw-a", (await cluster.EnsurePlacement())!.GatewayId); // a valid lease is never taken away

        // gw-a goes silent: once its lease expires the cluster moves, keeping its port.
        var until = DateTime.UtcNow.AddSeconds(5);
        PlacementView? moved = null;
        while (DateTime.UtcNow < until)
        {
            await plane.Directory.Heartbeat("gw-b", null);
            moved = await cluster.EnsurePlacement();
            if (moved!.GatewayId == "gw-b")
                break;
            await Task.Delay(100);
        }
        Assert.Equal(("gw-b", "127.0.0.3", 24500), (moved!.GatewayId, moved.Host, moved.Port));
        Assert.True(moved.Epoch > placed.Epoch);
        Assert.False((await cluster.RenewLease("gw-a", placed.Epoch)).Held); // the old holder is fenced off
    }

    [Fact]
    public async Task A_heartbeat_carries_the_placements_only_when_they_changed()
    {
        await using var plane = await InProcessControlPlane.StartAsync();
        await plane.Directory.Register(new GatewayRegistration("gw-a", "127.0.0.2", 24500, 24599, null, 100));
        var first = await plane.Directory.Heartbeat("gw-a", null);
        Assert.Empty(first.Placements!);
        Assert.Null((await plane.Directory.Heartbeat("gw-a", first.Version)).Placements);

        var cluster = plane.Cluster("acme/prod");
        await cluster.Import(new ImportRequest(Conf, "prod.conf"));
        var placed = await plane.Directory.Heartbeat("gw-a", first.Version);
        Assert.Equal("acme/prod", Assert.Single(placed.Placements!).Cluster);
        Assert.NotEqual(first.Version, placed.Version);
        Assert.Null((await plane.Directory.Heartbeat("gw-a", placed.Version)).Placements);
        // A version the directory never gave (another activation's) gets the whole list.
        var stranger = placed.Version with { Directory = Guid.NewGuid() };
        Assert.Single((await plane.Directory.Heartbeat("gw-a", stranger)).Placements!);

        // A spec change is a change of the placements too: the heartbeat tells which spec to re-read.
        var version = Assert.Single(placed.Placements!).SpecVersion;
        await cluster.Import(new ImportRequest(Conf.Replace("pool_size: 3", "pool_size: 4", StringComparison.Ordinal), "prod.conf"));
        var changed = await plane.Directory.Heartbeat("gw-a", placed.Version);
        Assert.True(Assert.Single(changed.Placements!).SpecVersion > version);
    }

    [Fact]
    public async Task Placements_recorded_at_the_same_time_share_writes_and_all_are_stored()
    {
        await using var redis = await RedisServer.StartAsync();
        var settings = new RedisSettings(redis.Endpoint);
        var service = "directory-" + Guid.NewGuid().ToString("N")[..8];
        const int Clusters = 200;
        await using (var plane = await InProcessControlPlane.StartAsync(redis: settings, serviceId: service))
        {
            await plane.Directory.Register(new GatewayRegistration("gw-a", "127.0.0.2", 24500, 24799, null, Clusters));
            var before = await StateWritesAsync(redis);
            // As a take-over records its orphans' new placements: many at once, each a change of the whole state.
            await Task.WhenAll(Enumerable.Range(0, Clusters).Select(i => plane.Directory.Record(new DirectoryEntry($"acme/c{i}", "gw-a", 24500 + i, 1))));
            var writes = await StateWritesAsync(redis) - before;
            Assert.InRange(writes, 1, Clusters / 4);
        }
        // Every recorded placement is in storage: a directory activated afresh knows them all.
        await using var again = await InProcessControlPlane.StartAsync(redis: settings, serviceId: service);
        var stored = (await again.Directory.Heartbeat("gw-a", null)).Placements!;
        Assert.Equal(Enumerable.Range(0, Clusters).Select(i => $"acme/c{i}").Order(StringComparer.Ordinal), stored.Select(p => p.Cluster).Order(StringComparer.Ordinal));
    }

    /// <summary>Grain states written so far: Orleans' Redis storage writes each with a script (its ETag check).</summary>
    private static async Task<long> StateWritesAsync(RedisServer redis)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync($"{redis.Endpoint},allowAdmin=true");
        var stats = await connection.GetServer(redis.Endpoint).InfoAsync("commandstats");
        return stats.SelectMany(g => g)
            .Where(e => e.Key is "cmdstat_eval" or "cmdstat_evalsha")
            .Sum(e => long.Parse(e.Value.Split(',')[0]["calls=".Length..], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Clusters_imported_at_the_same_time_get_different_ports()
    {
        await using var plane = await InProcessControlPlane.StartAsync();
        await plane.Directory.Register(new GatewayRegistration("gw-a", "127.0.0.2", 24500, 24539, null, 100));
        // Between a cluster's Choose and its Record, others choose: without a reservation two got one port.
        await Parallel.ForEachAsync(Enumerable.Range(0, 40), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
            await plane.Cluster($"acme/c{i}").Import(new ImportRequest(Conf, $"c{i}.conf")));
        var ports = new List<int>();
        for (var i = 0; i < 40; i++)
            ports.Add((await plane.Cluster($"acme/c{i}").Get()).Placement!.Port);
        Assert.Equal(Enumerable.Range(24500, 40), ports.Order());
    }

    [Fact]
    public async Task A_chosen_port_counts_in_its_gateways_load_before_the_cluster_records_it()
    {
        await using var plane = await InProcessControlPlane.StartAsync();
        await plane.Directory.Register(new GatewayRegistration("gw-a", "127.0.0.2", 24500, 24599, null, 100));
        await plane.Directory.Register(new GatewayRegistration("gw-b", "127.0.0.3", 24500, 24599, null, 100));
        // Four clusters choosing before any records, as concurrent imports do: they alternate.
        var choices = new List<PlacementChoice>();
        for (var i = 0; i < 4; i++)
            choices.Add((await plane.Directory.Choose($"acme/s{i}", null, null, null))!);
        Assert.Equal(["gw-a", "gw-b", "gw-a", "gw-b"], choices.Select(c => c.GatewayId));
        Assert.Equal(4, choices.Select(c => c.Port).Distinct().Count());
    }

    [Fact]
    public async Task Releasing_a_lease_hands_the_cluster_to_another_gateway()
    {
        await using var plane = await InProcessControlPlane.StartAsync();
        await plane.Directory.Register(new GatewayRegistration("gw-a", "127.0.0.2", 24500, 24599, null, 100));
        await plane.Directory.Register(new GatewayRegistration("gw-b", "127.0.0.3", 24500, 24599, null, 100));
        var cluster = plane.Cluster("acme/prod");
        await cluster.Import(new ImportRequest(Conf, "prod.conf"));
        var first = (await cluster.Get()).Placement!;
        var next = await cluster.ReleaseLease(first.GatewayId, first.Epoch);
        Assert.NotEqual(first.GatewayId, next!.GatewayId);
        Assert.Equal(first.Port, next.Port);
        Assert.Equal(first.Epoch + 1, next.Epoch);
    }

    [Theory]
    [InlineData(NatsServerBinaries.V2_9, "2.9")]
    [InlineData(NatsServerBinaries.V2_10, "2.10")]
    [InlineData(NatsServerBinaries.V2_15, null)]
    public async Task Member_config_is_accepted_by_the_real_nats_server(string binary, string? serverVersion)
    {
        await using var plane = await InProcessControlPlane.StartAsync();
        await plane.Directory.Register(new GatewayRegistration("gw-a", "127.0.0.2", 24500, 24599, null, 100));
        await plane.Directory.Register(new GatewayRegistration("gw-b", "127.0.0.3", 24500, 24599, null, 100));
        var directory = Path.Combine(Path.GetTempPath(), "natsroutes-mc-" + Guid.NewGuid().ToString("N")[..8]);
        using var ca = new TestCertificates(directory);
        var gateway = ca.Issue("gateway", "CN=gateway", [System.Net.IPAddress.Loopback]);
        var memberFiles = ca.Issue("member-1", "CN=member-1", [System.Net.IPAddress.Loopback]);
        await plane.Cluster("acme/prod").Import(new ImportRequest(FullConf.Replace("TLS_BLOCK", $$"""
            tls {
                cert_file: "{{gateway.CertFile}}", key_file: "{{gateway.KeyFile}}", ca_file: "{{ca.CaFile}}"
                timeout: 3, verify_and_map: true, min_version: "1.2"
                cipher_suites: ["TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"]
                curve_preferences: ["CurveP256", "X25519"]
              }
            """, StringComparison.Ordinal), "prod.conf"));
        await plane.Cluster("acme/prod").Set("pool_size", "5");
        await plane.Grains.GetGrain<IAccountGrain>("acme/prod/ACME").Pin();
        var text = await plane.Cluster("acme/prod").MemberConfig("member-1", "127.0.0.1:24777", "placeholder-pw", serverVersion,
            new MemberTlsFiles(memberFiles.CertFile, memberFiles.KeyFile, ca.CaFile));
        // The member's own files with the cluster's TLS settings.
        Assert.Contains($"cert_file: \"{memberFiles.CertFile}\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain(gateway.CertFile, text, StringComparison.Ordinal);
        foreach (var setting in new[] { "verify_and_map: true", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "\"X25519\"", "timeout: 3" })
            Assert.Contains(setting, text, StringComparison.Ordinal);
        Assert.Equal(serverVersion != "2.9", text.Contains("min_version: \"1.2\"", StringComparison.Ordinal)); // 2.9 has no min_version
        Assert.Contains("nats-route://ruser:placeholder-pw@127.0.0.2:24500", text, StringComparison.Ordinal);
        Assert.Contains("nats-route://ruser:placeholder-pw@127.0.0.3:24500", text, StringComparison.Ordinal);
        // Every version applies the cluster's permissions.
        Assert.Contains("import {", text, StringComparison.Ordinal);
        Assert.Contains("\"secret.>\"", text, StringComparison.Ordinal);
        // 2.9 refuses the v2 options; later versions must get them, or pinning on one side loses messages.
        var v2 = serverVersion != "2.9";
        Assert.Equal(v2, text.Contains("pool_size: 5", StringComparison.Ordinal));
        Assert.Equal(v2, text.Contains("accounts: [\"ACME\"]", StringComparison.Ordinal));
        Assert.Equal(v2, text.Contains("s2_auto", StringComparison.Ordinal));
        Assert.Equal(v2, text.Contains("ping_interval: \"5s\"", StringComparison.Ordinal));
        Assert.Equal(v2, text.Contains("ping_max: 4", StringComparison.Ordinal));
        // write_deadline and write_timeout are 2.11.11+, connect_backoff 2.12+.
        var v215 = serverVersion is null;
        Assert.Equal(v215, text.Contains("write_deadline: \"3s\"", StringComparison.Ordinal));
        Assert.Equal(v215, text.Contains("write_timeout: \"close\"", StringComparison.Ordinal));
        Assert.Equal(v215, text.Contains("connect_backoff: true", StringComparison.Ordinal));
        var file = Path.Combine(Path.GetTempPath(), $"member-{Guid.NewGuid():N}.conf");
        File.WriteAllText(file, "listen: 127.0.0.1:-1\n" + text);
        try
        {
            var result = await ProcessRunner.RunAsync(NatsServerBinaries.PathOf(binary), ["-t", "-c", file], TimeSpan.FromSeconds(30));
            Assert.True(result.ExitCode == 0, $"{binary}: {result.AllOutput}\n{text}");
        }
        finally
        {
            File.Delete(file);
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Member_config_names_an_unknown_server_version()
    {
        await using var plane = await InProcessControlPlane.StartAsync();
        await plane.Cluster("acme/prod").Import(new ImportRequest(Conf, "prod.conf"));
        await plane.Directory.Register(new GatewayRegistration("gw-a", "127.0.0.2", 24500, 24599, null, 100));
        var error = await Assert.ThrowsAsync<ClusterRequestException>(() => plane.Cluster("acme/prod").MemberConfig("m1", null, "pw", "2.8", null));
        Assert.Contains("--server-version \"2.8\" is not a supported nats-server version (2.9, 2.10 or 2.15)", error.Message, StringComparison.Ordinal);
        // TLS files for a cluster without TLS on routes are a mistake worth naming.
        error = await Assert.ThrowsAsync<ClusterRequestException>(() => plane.Cluster("acme/prod").MemberConfig("m1", null, "pw", null, new MemberTlsFiles("c", "k", "ca")));
        Assert.Contains("cluster acme/prod does not use TLS on routes", error.Message, StringComparison.Ordinal);
    }
}

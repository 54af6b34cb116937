using Microsoft.Extensions.DependencyInjection;
using Nats.OrleansRoutes.Config.Cluster;
using Nats.OrleansRoutes.Config.Validation;
using Nats.OrleansRoutes.Grains;
using Nats.OrleansRoutes.Grains.Cluster;
using Orleans.Serialization;

namespace Nats.OrleansRoutes.Tests.Unit.Contracts;

/// <summary>
/// Every contract crosses Orleans' serializer as the processes configure it (JSON for the product's
/// types), and grain state crosses the storage serializer, without loss and without secrets.
/// </summary>
public sealed class ContractSerializationTests
{
    private static readonly Serializer Serializer = new ServiceCollection()
        .AddSerializer(s => s.AddNatsRoutesContracts())
        .BuildServiceProvider()
        .GetRequiredService<Serializer>();

    private static readonly ClusterSpec Spec = NatsConfigValidator.ValidateText("""
        cluster {
          name: C1
          listen: 127.0.0.1:6222
          authorization { user: ruser, password: "sup3r-s3cret", timeout: 2 }
          routes: [ "nats-route://ruser:r0ute-s3cret@10.0.0.2:6222" ]
          pool_size: 5
          accounts: [ A, B ]
          compression: s2_auto
        }
        """, "spec.conf").Spec!;

    private static T RoundTrip<T>(T value) => Serializer.Deserialize<T>(Serializer.SerializeToArray(value))!;

    [Fact]
    public void A_cluster_view_keeps_its_spec_and_redacts_its_secrets()
    {
        var placement = new PlacementView("gw1", "127.0.0.2", 24200, 3, DateTimeOffset.UnixEpoch.AddDays(1));
        var view = new ClusterView("acme", "prod", 7, Spec, new CredentialsView("ruser", "pbkdf2", null, null), placement,
            DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddHours(1));
        var copy = RoundTrip(view);
        Assert.Equal(view with { Spec = copy.Spec }, copy);
        Assert.Equal(Spec with { Authorization = copy.Spec.Authorization, Routes = copy.Spec.Routes }, copy.Spec);
        Assert.Equal(Secret.Redacted, copy.Spec.Authorization!.Password!.Reveal());
        Assert.Equal(Secret.Redacted, copy.Spec.Routes[0].Password!.Reveal());
        Assert.DoesNotContain("sup3r-s3cret", System.Text.Encoding.UTF8.GetString(Serializer.SerializeToArray(view)), StringComparison.Ordinal);
    }

    [Fact]
    public void Lists_made_by_collection_expressions_survive()
    {
        IReadOnlyList<string> warnings = ["one", "two"];
        var result = RoundTrip(new ImportResult(3, true, warnings, "route", "pw"));
        Assert.Equal(["one", "two"], result.Warnings);
        var decision = RoundTrip(AuthorizationDecision.Allow(4, ["w"]));
        Assert.Equal((true, "ok", 4L, "w"), (decision.Allowed, decision.Reason, decision.SpecVersion, decision.Warnings.Single()));
        var page = RoundTrip(new NamePage(["a", "b"], "b"));
        Assert.Equal(["a", "b"], page.Names);
        Assert.Equal("b", page.Next);
    }

    [Fact]
    public void Gateway_contracts_survive()
    {
        var handshake = new RouteHandshake("u", "p", ["CN=x", "dns"], "C1", 2, 3, "A", "127.0.0.1:5000");
        var copy = RoundTrip(handshake);
        Assert.Equal(handshake with { TlsIdentities = copy.TlsIdentities }, copy);
        Assert.Equal(["CN=x", "dns"], copy.TlsIdentities!);
        var serving = RoundTrip(new ServingSpec(9, Spec, [new EncryptedRouteSecret(0, "sealed")], null, new HandoverInfo("gw1", ["S1", "S2"])));
        Assert.Equal((9L, 5, "sealed", "gw1", 2), (serving.Version, serving.Spec.PoolSize, serving.RouteSecrets[0].Ciphertext, serving.Handover!.FromGateway, serving.Handover.Members.Count));
        Assert.Equal(new ClusterChange("acme/prod", ClusterChangeKind.HandoverReady, 4), RoundTrip(new ClusterChange("acme/prod", ClusterChangeKind.HandoverReady, 4)));
        var registration = new GatewayRegistration("gw1", "127.0.0.2", 24200, 24299, "http://127.0.0.2:8222", 100);
        Assert.Equal(registration, RoundTrip(new GatewayInfo(registration, DateTimeOffset.UnixEpoch, true, 2)).Registration);
        IReadOnlyList<LeaseClaim> claims = [new("acme/a", 3), new("acme/b", 4)];
        Assert.Equal(claims, RoundTrip(claims));
        var renewal = RoundTrip(new LeaseRenewal("acme/a", new LeaseResult(true, null, "renewed"), null));
        Assert.Equal((true, "renewed"), (renewal.Result!.Held, renewal.Result.Reason));
        Assert.Equal("storage down", RoundTrip(new LeaseRenewal("acme/b", null, "storage down")).Error);
        var version = new PlacementsVersion(Guid.NewGuid(), 41);
        var heartbeat = RoundTrip(new HeartbeatReply(version, [new DirectoryEntry("acme/a", "gw1", 24200, 3, "eu", 7)]));
        Assert.Equal((version, new DirectoryEntry("acme/a", "gw1", 24200, 3, "eu", 7)), (heartbeat.Version, heartbeat.Placements!.Single()));
        Assert.Null(RoundTrip(new HeartbeatReply(version, null)).Placements);
    }

    [Fact]
    public void A_refusal_arrives_with_its_type_and_message()
    {
        var copy = RoundTrip<Exception>(new ClusterRequestException("cluster acme/x does not exist"));
        Assert.IsType<ClusterRequestException>(copy);
        Assert.Equal("cluster acme/x does not exist", copy.Message);
    }

    [Fact]
    public void Cluster_state_is_stored_as_json_and_read_back()
    {
        var state = new ClusterState
        {
            Tenant = "acme",
            Name = "prod",
            Version = 12,
            Spec = Spec.WithoutSecrets(),
            Credential = new StoredCredential("ruser", "pbkdf2-sha256$10000$c2FsdA==$aGFzaA=="),
            RouteSecrets = [new EncryptedRouteSecret(0, "sealed")],
            Placement = new StoredPlacement("gw1", "127.0.0.2", 24200, 3, DateTimeOffset.UnixEpoch, new HandoverInfo("gw0", ["S1"])),
        };
        var serializer = new JsonGrainStateSerializer();
        var stored = serializer.Serialize(state);
        Assert.StartsWith("{", stored.ToString(), StringComparison.Ordinal);
        var back = serializer.Deserialize<ClusterState>(stored);
        Assert.Equal((state.Tenant, state.Version, state.Spec, state.Credential), (back.Tenant, back.Version, back.Spec, back.Credential));
        Assert.Equal(state.Placement with { Handover = back.Placement!.Handover }, back.Placement);
        Assert.Equal(["S1"], back.Placement.Handover!.Members);
    }
}

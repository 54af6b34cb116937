using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nats.OrleansRoutes.Config.Cluster;
using Nats.OrleansRoutes.Grains.Security;

namespace Nats.OrleansRoutes.Grains.Cluster;

/// <summary>
/// One tenant cluster. Every change of spec, credentials or pinned accounts bumps
/// <see cref="ClusterState.Version"/> and publishes a <see cref="ClusterChange"/> through the
/// directory, which gateways treat as a hint to re-read. A deleted cluster keeps its version in
/// storage (a tombstone), so versions only grow. Split by concern into partial files.
/// </summary>
[GrainType("cluster")]
public sealed partial class ClusterGrain(
    [PersistentState("cluster", GrainStorage.Name)] IPersistentState<ClusterState> state,
    IOptions<GrainsOptions> options, SecretBox secrets, TimeProvider time, ILogger<ClusterGrain> logger) : Grain, IClusterGrain
{
    private readonly GrainsOptions _options = options.Value;
    private readonly AcceptedPasswords _acceptedPasswords = new();

    private string Key => this.GetPrimaryKeyString();

    private ClusterState State => state.State;

    /// <summary>Imported and not deleted since.</summary>
    private bool StateExists => State.Spec is not null;

    private TimeProvider Time => time;

    private Task WriteStateAsync() => state.WriteStateAsync();

    private ClusterRef Ref => ClusterRef.Parse(Key);

    private ClusterSpec Spec => State.Spec ?? throw NotFound();

    public Task<ClusterView> Get() => StateExists ? Task.FromResult(View()) : Task.FromException<ClusterView>(NotFound());

    public Task<ClusterView?> Find() => Task.FromResult(StateExists ? View() : null);

    public async Task Delete()
    {
        if (!StateExists)
            throw NotFound();
        var cluster = Ref;
        var version = State.Version + 1;
        state.State = new ClusterState { Tenant = State.Tenant, Name = State.Name, Version = version, UpdatedAt = Time.GetUtcNow() };
        await WriteStateAsync();
        await GrainFactory.GetGrain<IGatewayDirectoryGrain>(IGatewayDirectoryGrain.Key).Forget(Key);
        await GrainFactory.GetGrain<ITenantGrain>(cluster.Tenant).RemoveCluster(cluster.Name);
        LogDeleted(logger, Key);
        Announce(ClusterChangeKind.Deleted, version);
    }

    private ClusterView View()
    {
        var credential = State.Credential;
        var kind = credential is null ? "none" : PasswordHash.Kind(credential.Hash);
        var previousValid = State.PreviousValidUntil is { } until && until > Time.GetUtcNow() ? until : (DateTimeOffset?)null;
        return new ClusterView(State.Tenant, State.Name, State.Version, RedactedSpec(),
            new CredentialsView(credential?.User, kind, State.RotatedAt, previousValid),
            State.Placement?.ToView(), State.CreatedAt, State.UpdatedAt);
    }

    /// <summary>The spec with [REDACTED] wherever a secret is set (stored hashed or sealed beside the spec).</summary>
    private ClusterSpec RedactedSpec()
    {
        var redacted = new Secret(Secret.Redacted);
        var sealedRoutes = State.RouteSecrets.Select(r => r.RouteIndex).ToHashSet();
        var spec = Spec;
        return spec with
        {
            Authorization = spec.Authorization is { } auth && State.Credential is not null ? auth with { Password = redacted } : spec.Authorization,
            Routes = new EquatableList<RouteUrl>(spec.Routes.Select((r, i) => sealedRoutes.Contains(i) ? r with { Password = redacted } : r)),
        };
    }

    /// <summary>Records a change: new version, stored, announced.</summary>
    private async Task CommitChangeAsync()
    {
        // Deletion keeps the version (a tombstone), so a cluster created again continues from it.
        State.Version++;
        State.UpdatedAt = Time.GetUtcNow();
        await WriteStateAsync();
        // Awaited, unlike the hint: gateways find changed specs by the versions their heartbeat returns.
        if (State.Placement is not null)
            await GrainFactory.GetGrain<IGatewayDirectoryGrain>(IGatewayDirectoryGrain.Key).RecordVersion(Key, State.Version);
        Announce(ClusterChangeKind.Changed, State.Version);
    }

    /// <summary>A hint to the gateways, one-way: they also re-read on a timer, so a lost hint only delays.</summary>
    private void Announce(ClusterChangeKind kind, long version) =>
        GrainFactory.GetGrain<IGatewayDirectoryGrain>(IGatewayDirectoryGrain.Key).Publish(new ClusterChange(Key, kind, version)).Ignore();

    private ClusterRequestException NotFound() =>
        new($"cluster {Key} does not exist (import it with: natsroutes cluster import {Key} FILE)");

    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Cluster {Cluster} deleted")]
    private static partial void LogDeleted(ILogger logger, string cluster);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Cluster {Cluster} imported as version {Version} (new: {Created})")]
    private static partial void LogImported(ILogger logger, string cluster, long version, bool created);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Cluster {Cluster} is version {Version} after setting {Option}")]
    private static partial void LogOptionSet(ILogger logger, string cluster, long version, string option);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Information, Message = "Cluster {Cluster} is version {Version}: account {Account} pinned: {Pinned}")]
    private static partial void LogPinChanged(ILogger logger, string cluster, long version, string account, bool pinned);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "Cluster {Cluster} is version {Version}: route credentials rotated, previous password valid for {Grace}")]
    private static partial void LogRotated(ILogger logger, string cluster, long version, TimeSpan grace);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Information, Message = "Cluster {Cluster} is version {Version}: route password set")]
    private static partial void LogPasswordSet(ILogger logger, string cluster, long version);
}

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Nats.OrleansRoutes.Grains.Directory;

public sealed class GatewayDirectoryState
{
    public Dictionary<string, GatewayRegistration> Gateways { get; set; } = new(StringComparer.Ordinal);

    /// <summary>cluster key → where it is placed (mirrors the cluster grains, which are authoritative).</summary>
    public Dictionary<string, DirectoryEntry> Placements { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// The deployment's gateways and the placement of clusters on them. Heartbeats are kept in
/// memory only (they change every few seconds); after a move of this grain every registered
/// gateway counts as just seen, and real liveness shows again within one heartbeat interval.
/// Route ports are unique across the deployment, so a cluster keeps its port when it moves:
/// members list every gateway at that port and only the lease holder listens. Change hints go to
/// every subscribed gateway; subscriptions, like heartbeats, live in memory and are renewed on
/// every gateway reconcile.
/// </summary>
[GrainType("gateway-directory")]
// Every method changes the state before its only await, the write, so calls may interleave there:
// Orleans' persistent state runs one write at a time and folds writes asked for meanwhile into the
// next. The state holds every placement; one write per call made a take-over of n clusters n
// writes of all of them, one after another.
[Reentrant]
public sealed partial class GatewayDirectoryGrain(
    [PersistentState("directory", GrainStorage.Name)] IPersistentState<GatewayDirectoryState> state,
    IOptions<GrainsOptions> options, TimeProvider time, ILogger<GatewayDirectoryGrain> logger)
    : Grain, IGatewayDirectoryGrain
{
    private readonly Dictionary<string, DateTimeOffset> _lastSeen = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (IClusterChangeObserver Observer, DateTimeOffset At)> _subscribers = new(StringComparer.Ordinal);

    /// <summary>
    /// Ports chosen for a cluster and not yet recorded: between its Choose and its Record the cluster
    /// grain takes its lease and persists it, and other clusters' Choose calls run meanwhile (four
    /// imports at once gave two clusters one port). They count in a gateway's load too, so clusters
    /// placed at the same time spread over the gateways. Held until Record or Forget, or for
    /// <see cref="ReservationTime"/> if the cluster grain never comes back.
    /// </summary>
    private readonly Dictionary<string, (string GatewayId, string Group, int Port, DateTimeOffset Until)> _reserved = new(StringComparer.Ordinal);

    private static readonly TimeSpan ReservationTime = TimeSpan.FromMinutes(1);

    /// <summary>This activation, and the changes to the placements it has made: the <see cref="PlacementsVersion"/>.</summary>
    private readonly Guid _instance = Guid.NewGuid();
    private long _changes;

    private GatewayDirectoryState State => state.State;

    private TimeProvider Time => time;

    private Task WriteStateAsync() => state.WriteStateAsync();

    /// <summary>After a change to <see cref="GatewayDirectoryState.Placements"/>: a new <see cref="PlacementsVersion"/>, stored.</summary>
    private Task PlacementsChangedAsync()
    {
        _changes++;
        return WriteStateAsync();
    }

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var now = Time.GetUtcNow();
        foreach (var id in State.Gateways.Keys)
            _lastSeen[id] = now;
        return Task.CompletedTask;
    }

    public Task Subscribe(string gatewayId, IClusterChangeObserver observer)
    {
        _subscribers[gatewayId] = (observer, Time.GetUtcNow());
        return Task.CompletedTask;
    }

    public Task Publish(ClusterChange change)
    {
        // A gateway that stopped subscribing (gone for several timeouts) is dropped; one that
        // stopped without saying so just misses hints until it subscribes again.
        var expired = Time.GetUtcNow() - options.Value.GatewayTimeout * 3;
        foreach (var (id, subscriber) in _subscribers.ToList())
        {
            if (subscriber.At < expired)
            {
                _subscribers.Remove(id);
                continue;
            }
            subscriber.Observer.OnClusterChanged(change).Ignore();
        }
        return Task.CompletedTask;
    }

    public async Task Register(GatewayRegistration registration)
    {
        if (Names.Check(registration.GatewayId, "gateway id") is { } problem)
            throw new ClusterRequestException(problem);
        if (Names.Check(registration.Group, "gateway group") is { } groupProblem)
            throw new ClusterRequestException(groupProblem);
        if (registration.PortFrom < 1 || registration.PortTo > 65535 || registration.PortFrom > registration.PortTo)
            throw new ClusterRequestException($"gateway {registration.GatewayId}: port range {registration.PortFrom}-{registration.PortTo} is not a range of TCP ports");
        _lastSeen[registration.GatewayId] = Time.GetUtcNow();
        if (State.Gateways.TryGetValue(registration.GatewayId, out var known) && known == registration)
            return;
        State.Gateways[registration.GatewayId] = registration;
        await WriteStateAsync();
        LogRegistered(logger, registration.GatewayId, registration.Host, registration.PortFrom, registration.PortTo, registration.Group);
    }

    public Task<HeartbeatReply> Heartbeat(string gatewayId, PlacementsVersion? known)
    {
        if (State.Gateways.ContainsKey(gatewayId))
            _lastSeen[gatewayId] = Time.GetUtcNow();
        var version = new PlacementsVersion(_instance, _changes);
        return Task.FromResult(new HeartbeatReply(version,
            version == known ? null : [.. State.Placements.Values.Where(p => p.GatewayId == gatewayId)]));
    }

    public async Task Deregister(string gatewayId)
    {
        _lastSeen.Remove(gatewayId);
        if (State.Gateways.Remove(gatewayId))
            await WriteStateAsync();
    }

    public Task<IReadOnlyList<GatewayInfo>> List() =>
        Task.FromResult<IReadOnlyList<GatewayInfo>>([.. State.Gateways.Values
            .OrderBy(g => g.GatewayId, StringComparer.Ordinal)
            .Select(g => new GatewayInfo(g, _lastSeen.GetValueOrDefault(g.GatewayId), IsLive(g.GatewayId), Load(g.GatewayId)))]);

    public Task<PlacementChoice?> Choose(string cluster, string? previousGateway, int? preferredPort, string? excludeGateway)
    {
        var live = State.Gateways.Values.Where(g => g.GatewayId != excludeGateway && IsLive(g.GatewayId)).ToList();
        var now = Time.GetUtcNow();
        foreach (var (key, reservation) in _reserved.ToList())
        {
            if (reservation.Until <= now)
                _reserved.Remove(key);
        }
        var taken = State.Placements.Values.Where(p => p.Cluster != cluster).Select(p => (p.Group, p.Port))
            .Concat(_reserved.Where(r => r.Key != cluster).Select(r => (r.Value.Group, r.Value.Port)))
            .ToHashSet();
        var current = State.Placements.GetValueOrDefault(cluster);
        var group = current?.Group
            ?? (previousGateway is not null && State.Gateways.TryGetValue(previousGateway, out var previous) ? previous.Group : null);

        // Keep the port the members already dial, in its group, whenever a live gateway of the group serves it.
        if ((current?.Port ?? preferredPort) is { } wanted)
        {
            var keeping = live.Where(g => (group is null || g.Group == group) && Serves(g, wanted) && !taken.Contains((g.Group, wanted))).ToList();
            var keeper = keeping.FirstOrDefault(g => g.GatewayId == previousGateway) ?? LeastLoaded(keeping).FirstOrDefault();
            if (keeper is not null)
                return Reserve(cluster, new PlacementChoice(keeper.GatewayId, keeper.Host, wanted, keeper.Group));
        }
        // Anywhere else: the least loaded gateway whose group has a free port.
        foreach (var gateway in live.Where(g => g.GatewayId == previousGateway).Concat(LeastLoaded(live)))
        {
            var port = Enumerable.Range(gateway.PortFrom, gateway.PortTo - gateway.PortFrom + 1).FirstOrDefault(n => !taken.Contains((gateway.Group, n)));
            if (port != 0)
                return Reserve(cluster, new PlacementChoice(gateway.GatewayId, gateway.Host, port, gateway.Group));
        }
        if (live.Count > 0)
            LogNoPort(logger, string.Join(", ", live.Select(g => g.GatewayId)), cluster);
        return Task.FromResult<PlacementChoice?>(null);
    }

    private Task<PlacementChoice?> Reserve(string cluster, PlacementChoice choice)
    {
        _reserved[cluster] = (choice.GatewayId, choice.Group, choice.Port, Time.GetUtcNow() + ReservationTime);
        return Task.FromResult<PlacementChoice?>(choice);
    }

    private IEnumerable<GatewayRegistration> LeastLoaded(IEnumerable<GatewayRegistration> gateways) =>
        gateways.OrderBy(g => Load(g.GatewayId)).ThenBy(g => g.GatewayId, StringComparer.Ordinal);

    public async Task Record(DirectoryEntry entry)
    {
        _reserved.Remove(entry.Cluster);
        State.Placements[entry.Cluster] = entry;
        await PlacementsChangedAsync();
    }

    public async Task RecordVersion(string cluster, long version)
    {
        if (!State.Placements.TryGetValue(cluster, out var entry) || entry.SpecVersion >= version)
            return;
        State.Placements[cluster] = entry with { SpecVersion = version };
        await PlacementsChangedAsync();
    }

    public async Task Forget(string cluster)
    {
        _reserved.Remove(cluster);
        if (State.Placements.Remove(cluster))
            await PlacementsChangedAsync();
    }

    public Task<IReadOnlyList<string>> Orphans() =>
        Task.FromResult<IReadOnlyList<string>>([.. State.Placements.Values.Where(p => !IsLive(p.GatewayId)).Select(p => p.Cluster).Order(StringComparer.Ordinal)]);

    private bool IsLive(string gatewayId) =>
        State.Gateways.ContainsKey(gatewayId)
        && _lastSeen.TryGetValue(gatewayId, out var seen)
        && Time.GetUtcNow() - seen <= options.Value.GatewayTimeout;

    private int Load(string gatewayId) =>
        State.Placements.Values.Count(p => p.GatewayId == gatewayId)
        + _reserved.Count(r => r.Value.GatewayId == gatewayId && !State.Placements.ContainsKey(r.Key));

    private static bool Serves(GatewayRegistration gateway, int port) => gateway.PortFrom <= port && port <= gateway.PortTo;

    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "Gateway {Gateway} registered at {Host}, ports {From}-{To}, failover group {Group}")]
    private static partial void LogRegistered(ILogger logger, string gateway, string host, int from, int to, string group);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning,
        Message = "No live gateway ({Gateways}) has a free route port for cluster {Cluster}: widen --ports or start gateways in another --group")]
    private static partial void LogNoPort(ILogger logger, string gateways, string cluster);
}

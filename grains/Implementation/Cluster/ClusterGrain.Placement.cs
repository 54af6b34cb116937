namespace Nats.OrleansRoutes.Grains.Cluster;

// Placement on a gateway with a lease: only an expired lease lets another gateway take the cluster.
public sealed partial class ClusterGrain
{
    private IGatewayDirectoryGrain Directory => GrainFactory.GetGrain<IGatewayDirectoryGrain>(IGatewayDirectoryGrain.Key);

    public async Task<PlacementView?> EnsurePlacement()
    {
        if (!StateExists)
            return null;
        if (State.Placement is { } held && held.LeaseExpiresAt > Time.GetUtcNow())
            return held.ToView();
        return await PlaceAsync(exclude: null);
    }

    public async Task<LeaseResult> RenewLease(string gatewayId, long epoch)
    {
        if (!StateExists)
            return new LeaseResult(false, null, $"cluster {Key} does not exist");
        var placement = State.Placement;
        var now = Time.GetUtcNow();
        if (placement is null || placement.GatewayId != gatewayId || placement.Epoch != epoch)
            return new LeaseResult(false, placement?.ToView(), $"the lease of {Key} is {Describe(placement)}");
        if (placement.LeaseExpiresAt <= now)
            return new LeaseResult(false, placement.ToView(), $"the lease of {Key} (epoch {epoch}) expired at {placement.LeaseExpiresAt:O}");
        State.Placement = placement with { LeaseExpiresAt = now + _options.LeaseDuration };
        await WriteStateAsync();
        return new LeaseResult(true, State.Placement.ToView(), "renewed");
    }

    public async Task<PlacementView?> ReleaseLease(string gatewayId, long epoch)
    {
        if (!StateExists || State.Placement is not { } placement || placement.GatewayId != gatewayId || placement.Epoch != epoch)
            return State.Placement?.ToView();
        LogReleased(logger, Key, gatewayId, epoch);
        return await PlaceAsync(exclude: gatewayId);
    }

    public async Task<PlacementView?> Handover(string gatewayId, long epoch, IReadOnlyList<string> memberServerIds)
    {
        if (!StateExists || State.Placement is not { } placement || placement.GatewayId != gatewayId || placement.Epoch != epoch)
            return State.Placement?.ToView();
        LogHandover(logger, Key, gatewayId, epoch, memberServerIds.Count);
        return await PlaceAsync(exclude: gatewayId, new HandoverInfo(gatewayId, [.. memberServerIds]));
    }

    public async Task HandoverReady(string gatewayId, long epoch)
    {
        if (!StateExists || State.Placement is not { Handover: not null } placement || placement.GatewayId != gatewayId || placement.Epoch != epoch)
            return;
        State.Placement = placement with { Handover = null };
        await WriteStateAsync();
        Announce(ClusterChangeKind.HandoverReady, epoch);
    }

    public Task<ServingSpec> GetServingSpec(string gatewayId)
    {
        if (!StateExists)
            throw NotFound();
        if (State.Placement?.GatewayId != gatewayId)
            throw new ClusterRequestException($"gateway {gatewayId} does not hold {Key} (it is {Describe(State.Placement)})");
        return Task.FromResult(new ServingSpec(State.Version, Spec, State.RouteSecrets, State.Placement.ToView(), State.Placement.Handover));
    }

    /// <summary>Asks the directory for a live gateway and a port, and takes a new lease epoch there.</summary>
    private async Task<PlacementView?> PlaceAsync(string? exclude, HandoverInfo? handover = null)
    {
        var previous = State.Placement;
        var preferredPort = previous?.Port ?? (Spec.Port > 0 ? Spec.Port : null);
        var choice = await Directory.Choose(Key, previous?.GatewayId, preferredPort, exclude);
        if (choice is null)
        {
            if (previous is not null && exclude is not null)
            {
                // Released with nowhere to go: end the lease now so the leaving gateway stops serving.
                State.Placement = previous with { LeaseExpiresAt = Time.GetUtcNow() };
                await WriteStateAsync();
            }
            return State.Placement?.ToView();
        }
        var epoch = (previous?.Epoch ?? 0) + 1;
        State.Placement = new StoredPlacement(choice.GatewayId, choice.Host, choice.Port, epoch, Time.GetUtcNow() + _options.LeaseDuration, handover, choice.Group);
        await WriteStateAsync();
        await Directory.Record(new DirectoryEntry(Key, choice.GatewayId, choice.Port, epoch, choice.Group, State.Version));
        LogPlaced(logger, Key, choice.GatewayId, choice.Host, choice.Port, epoch);
        Announce(ClusterChangeKind.Placed, epoch);
        return State.Placement.ToView();
    }

    /// <summary>Placement after import is best effort: with no live gateway the cluster waits for one.</summary>
    private async Task TryPlaceAsync()
    {
        try
        {
            await EnsurePlacement();
        }
        catch (Exception e)
        {
            LogPlacementDeferred(logger, Key, e.Message);
        }
    }

    private static string Describe(StoredPlacement? placement) =>
        placement is null ? "not placed" : $"held by {placement.GatewayId} at epoch {placement.Epoch}";

    [Microsoft.Extensions.Logging.LoggerMessage(EventId = 1010, Level = Microsoft.Extensions.Logging.LogLevel.Information,
        Message = "Cluster {Cluster} placed on gateway {Gateway} at {Host}:{Port}, lease epoch {Epoch}")]
    private static partial void LogPlaced(Microsoft.Extensions.Logging.ILogger logger, string cluster, string gateway, string host, int port, long epoch);

    [Microsoft.Extensions.Logging.LoggerMessage(EventId = 1012, Level = Microsoft.Extensions.Logging.LogLevel.Information,
        Message = "Cluster {Cluster}: gateway {Gateway} released its lease (epoch {Epoch})")]
    private static partial void LogReleased(Microsoft.Extensions.Logging.ILogger logger, string cluster, string gateway, long epoch);

    [Microsoft.Extensions.Logging.LoggerMessage(EventId = 1013, Level = Microsoft.Extensions.Logging.LogLevel.Information,
        Message = "Cluster {Cluster}: gateway {Gateway} hands it over (epoch {Epoch}, {Members} members)")]
    private static partial void LogHandover(Microsoft.Extensions.Logging.ILogger logger, string cluster, string gateway, long epoch, int members);

    [Microsoft.Extensions.Logging.LoggerMessage(EventId = 1011, Level = Microsoft.Extensions.Logging.LogLevel.Information,
        Message = "Cluster {Cluster} not placed yet: {Reason}")]
    private static partial void LogPlacementDeferred(Microsoft.Extensions.Logging.ILogger logger, string cluster, string reason);
}

using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Nats.OrleansRoutes.Runtime.Grains;
using Nats.OrleansRoutes.Runtime.Identity;
using Nats.OrleansRoutes.Runtime.Invocation;
using Nats.OrleansRoutes.Runtime.Serialization;
using Nats.OrleansRoutes.Runtime.Storage;

namespace Nats.OrleansRoutes.Runtime.Activation;

/// <summary>The activations living on this silo: at most one per grain id.</summary>
internal sealed class ActivationDirectory(IServiceProvider services, GrainTypeRegistry registry, IGrainFactory factory,
    IGrainStorage storage, GrainSerializer serializer, TimeProvider time)
{
    private readonly ConcurrentDictionary<GrainId, Activation> _activations = new();

    public int Count => _activations.Count;

    public Activation GetOrCreate(GrainId id)
    {
        if (_activations.TryGetValue(id, out var existing))
            return existing;
        if (!registry.TryGetImplementation(id.Type, out var type))
            throw new InvalidOperationException($"this silo has no grain class for grain type \"{id.Type}\"");
        var grain = (Grain)ActivatorUtilities.CreateInstance(services, type);
        var created = new Activation(id, grain, factory, storage, serializer, time, Remove);
        var winner = _activations.GetOrAdd(id, created);
        if (ReferenceEquals(winner, created))
            created.Start();
        return winner;
    }

    private void Remove(Activation activation) =>
        _activations.TryRemove(new KeyValuePair<GrainId, Activation>(activation.GrainId, activation));

    /// <summary>Deactivates activations unused for longer than <paramref name="idle"/>.</summary>
    public int CollectIdle(TimeSpan idle)
    {
        var collected = 0;
        foreach (var activation in _activations.Values)
        {
            if (activation.IsIdle && time.GetElapsedTime(activation.LastUsed) > idle)
            {
                _ = activation.DeactivateAsync();
                collected++;
            }
        }
        return collected;
    }

    /// <summary>Deactivates everything (silo shutdown or rejoin), waiting at most <paramref name="timeout"/>.</summary>
    public async Task DeactivateAllAsync(TimeSpan timeout)
    {
        var all = _activations.Values.Select(a => a.DeactivateAsync()).ToArray();
        await Task.WhenAll(all).WaitAsync(timeout).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }
}

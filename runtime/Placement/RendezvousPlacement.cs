using System.Text;
using Nats.OrleansRoutes.Runtime.Identity;
using Nats.OrleansRoutes.Runtime.Membership;

namespace Nats.OrleansRoutes.Runtime.Placement;

/// <summary>
/// Rendezvous (highest-random-weight) hashing: a grain belongs to the active silo whose hash of
/// (grain id, silo id) is highest. When a silo joins or leaves only the grains it wins or held
/// move; every process computes the same owner from the same membership view.
/// </summary>
public static class RendezvousPlacement
{
    public static SiloEntry? Owner(GrainId grain, IReadOnlyList<SiloEntry> active)
    {
        SiloEntry? best = null;
        ulong bestScore = 0;
        var grainHash = Fnv1a64(Encoding.UTF8.GetBytes(grain.ToString()), 0xcbf29ce484222325);
        foreach (var silo in active)
        {
            var score = Mix(Fnv1a64(Encoding.UTF8.GetBytes(silo.SiloId), grainHash));
            if (best is null || score > bestScore || (score == bestScore && string.CompareOrdinal(silo.SiloId, best.SiloId) < 0))
            {
                best = silo;
                bestScore = score;
            }
        }
        return best;
    }

    private static ulong Fnv1a64(ReadOnlySpan<byte> data, ulong seed)
    {
        var hash = seed;
        foreach (var b in data)
        {
            hash ^= b;
            hash *= 0x100000001b3;
        }
        return hash;
    }

    /// <summary>A finaliser (splitmix64) so that similar inputs give unrelated scores.</summary>
    private static ulong Mix(ulong x)
    {
        x ^= x >> 30;
        x *= 0xbf58476d1ce4e5b9;
        x ^= x >> 27;
        x *= 0x94d049bb133111eb;
        x ^= x >> 31;
        return x;
    }
}

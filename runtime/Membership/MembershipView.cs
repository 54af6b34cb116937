namespace Nats.OrleansRoutes.Runtime.Membership;

/// <summary>
/// The silos that own grains at one table version: the Active entries, in a stable order. Every
/// process that has read the same version computes the same owner for every grain.
/// </summary>
public sealed class MembershipView
{
    public MembershipView(long version, IEnumerable<SiloEntry> entries)
    {
        Version = version;
        All = [.. entries.OrderBy(e => e.SiloId, StringComparer.Ordinal)];
        Active = [.. All.Where(e => e.Status == SiloStatus.Active)];
    }

    public static MembershipView Empty { get; } = new(0, []);

    public long Version { get; }

    public IReadOnlyList<SiloEntry> All { get; }

    public IReadOnlyList<SiloEntry> Active { get; }

    public SiloEntry? Find(string siloId) => All.FirstOrDefault(e => e.SiloId == siloId);

    public override string ToString() => $"v{Version}: {string.Join(", ", Active.Select(a => a.SiloId))}";
}

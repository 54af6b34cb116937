namespace Nats.OrleansRoutes.Gateway.Hub;

/// <summary>
/// Everything members want for one subject pattern in one account: which members hold plain
/// interest (counted per member connection) and, per queue group, each member's weight.
/// </summary>
internal sealed class PatternInterest(AccountInterest account, string subject)
{
    public AccountInterest Owner { get; } = account;

    public string Account => Owner.Name;

    public string Subject { get; } = subject;

    /// <summary>member → number of its connections that sent RS+ for this plain subject.</summary>
    public Dictionary<Member, int> Plain { get; } = [];

    /// <summary>queue group → member → weight (summed over the member's connections).</summary>
    public Dictionary<string, QueueInterest> Queues { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The same interest split by leaf origin ("" for none) for announcing it: (origin, queue or "")
    /// → member → weight (plain: connections). Members that understand leaf origin are told it per
    /// origin (LS+ origin …), so they keep leaf traffic out of the cluster it came from.
    /// </summary>
    public Dictionary<(string Origin, string Queue), QueueInterest> ByOrigin { get; } = [];

    public bool IsEmpty => Plain.Count == 0 && Queues.Count == 0;

    /// <summary>Whether <paramref name="to"/> should be told about plain interest: another member has it.</summary>
    public bool PlainFor(Member to) => Plain.Count - (Plain.ContainsKey(to) ? 1 : 0) > 0;

    /// <summary>The weight to announce to <paramref name="to"/>: every other member's weight, summed.</summary>
    public int WeightFor(string queue, Member to) =>
        Queues.TryGetValue(queue, out var group) ? group.Total - group.Weights.GetValueOrDefault(to) : 0;

    /// <summary>What other members hold with leaf origin <paramref name="origin"/>: plain count or queue weight.</summary>
    public int WeightFor(string origin, string queue, Member to) =>
        ByOrigin.TryGetValue((origin, queue), out var group) ? group.Total - group.Weights.GetValueOrDefault(to) : 0;

    /// <summary>Adds <paramref name="delta"/> to a member's entry of <paramref name="group"/>; drops it at 0.</summary>
    public static void Add(QueueInterest group, Member member, int delta)
    {
        var weight = group.Weights.GetValueOrDefault(member) + delta;
        group.Total += delta;
        if (weight > 0)
            group.Weights[member] = weight;
        else
            group.Weights.Remove(member);
    }
}

/// <summary>One queue group on one pattern: each member's weight and their sum.</summary>
internal sealed class QueueInterest
{
    public Dictionary<Member, int> Weights { get; } = [];

    public int Total { get; set; }
}

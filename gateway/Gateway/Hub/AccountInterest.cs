namespace Nats.OrleansRoutes.Gateway.Hub;

/// <summary>
/// The interest of every member in one account: patterns in a <see cref="SubjectTree{T}"/> and a
/// cache of match results per published subject, cleared whenever the account's interest changes.
/// </summary>
internal sealed class AccountInterest
{
    private const int MaxCachedSubjects = 4096;

    private readonly Dictionary<string, MatchResult> _cache = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MatchResult>.AlternateLookup<ReadOnlySpan<char>> _cacheLookup;
    private readonly List<PatternInterest> _scratch = [];

    public AccountInterest(string name)
    {
        Name = name;
        NameUtf8 = System.Text.Encoding.UTF8.GetBytes(name);
        _cacheLookup = _cache.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public string Name { get; }

    public byte[] NameUtf8 { get; }

    public SubjectTree<PatternInterest> Tree { get; } = new();

    public Dictionary<string, PatternInterest> Patterns { get; } = new(StringComparer.Ordinal);

    public void Invalidate()
    {
        _cache.Clear();
        _lastMatch = null;
    }

    private byte[] _lastSubject = new byte[64];
    private int _lastSubjectLength;
    private MatchResult? _lastMatch;

    /// <summary>The match of the previous message, if it had the same subject (streams repeat subjects).</summary>
    public MatchResult? LastMatch(ReadOnlySpan<byte> subject) =>
        _lastMatch is not null && subject.SequenceEqual(_lastSubject.AsSpan(0, _lastSubjectLength)) ? _lastMatch : null;

    public void RememberMatch(ReadOnlySpan<byte> subject, MatchResult match)
    {
        if (subject.Length > _lastSubject.Length)
        {
            if (subject.Length > 1024)
                return; // not worth keeping
            _lastSubject = new byte[subject.Length];
        }
        subject.CopyTo(_lastSubject);
        _lastSubjectLength = subject.Length;
        _lastMatch = match;
    }

    /// <summary>Who wants a message on <paramref name="subject"/>; computed once per subject until interest changes.</summary>
    public MatchResult Match(ReadOnlySpan<char> subject)
    {
        if (_cacheLookup.TryGetValue(subject, out var cached))
            return cached;
        _scratch.Clear();
        Tree.Match(subject, _scratch);
        var result = MatchResult.From(_scratch);
        if (_cache.Count >= MaxCachedSubjects)
            _cache.Clear();
        _cache[subject.ToString()] = result;
        return result;
    }
}

/// <summary>The members with plain interest in a subject, and the candidates of each queue group.</summary>
internal sealed class MatchResult
{
    private static readonly MatchResult Nobody = new([], new Dictionary<string, QueueCandidates>(StringComparer.Ordinal));

    private MatchResult(Member[] plain, Dictionary<string, QueueCandidates> queues)
    {
        Plain = plain;
        Queues = queues;
        QueueLookup = queues.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public Member[] Plain { get; }

    public Dictionary<string, QueueCandidates> Queues { get; }

    public Dictionary<string, QueueCandidates>.AlternateLookup<ReadOnlySpan<char>> QueueLookup { get; }

    public static MatchResult From(List<PatternInterest> matched)
    {
        if (matched.Count == 0)
            return Nobody;
        var plain = new HashSet<Member>();
        var queues = new Dictionary<string, Dictionary<Member, int>>(StringComparer.Ordinal);
        foreach (var pattern in matched)
        {
            plain.UnionWith(pattern.Plain.Keys);
            foreach (var (queue, group) in pattern.Queues)
            {
                if (!queues.TryGetValue(queue, out var weights))
                    queues[queue] = weights = [];
                foreach (var (member, weight) in group.Weights)
                    weights[member] = weights.GetValueOrDefault(member) + weight;
            }
        }
        return new MatchResult([.. plain], queues.ToDictionary(q => q.Key, q => new QueueCandidates(q.Value), StringComparer.Ordinal));
    }
}

/// <summary>Members holding a queue group, with cumulative weights for a weighted pick.</summary>
internal sealed class QueueCandidates
{
    private readonly Member[] _members;
    private readonly int[] _cumulative;

    public QueueCandidates(Dictionary<Member, int> weights)
    {
        _members = [.. weights.Keys];
        _cumulative = new int[_members.Length];
        var sum = 0;
        for (var i = 0; i < _members.Length; i++)
        {
            sum += Math.Max(1, weights[_members[i]]);
            _cumulative[i] = sum;
        }
    }

    /// <summary>One member, weighted by its queue weight, never <paramref name="except"/>; null when only it holds the group.</summary>
    public Member? Pick(Member except)
    {
        var total = 0;
        for (var i = 0; i < _members.Length; i++)
        {
            if (!ReferenceEquals(_members[i], except))
                total += _cumulative[i] - (i == 0 ? 0 : _cumulative[i - 1]);
        }
        if (total == 0)
            return null;
        var roll = Random.Shared.Next(total);
        for (var i = 0; i < _members.Length; i++)
        {
            if (ReferenceEquals(_members[i], except))
                continue;
            roll -= _cumulative[i] - (i == 0 ? 0 : _cumulative[i - 1]);
            if (roll < 0)
                return _members[i];
        }
        return null;
    }
}

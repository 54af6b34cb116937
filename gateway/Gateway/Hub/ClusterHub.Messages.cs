using System.Buffers;
using System.Text;
using Nats.OrleansRoutes.Gateway.Routes;
using Nats.OrleansRoutes.Protocol;

namespace Nats.OrleansRoutes.Gateway.Hub;

// Messages: RMSG/HMSG (and LMSG) from one member to every other member that wants them.
internal sealed partial class ClusterHub
{
    private readonly List<Target> _targets = [];
    private readonly Dictionary<Member, Target> _targetCache = [];
    private readonly Dictionary<string, AccountInterest>.AlternateLookup<ReadOnlySpan<char>> _accountLookup;
    private char[] _chars = new char[256];

    /// <summary>
    /// One copy to every other member with matching plain interest; for each queue group named in
    /// the message, one member holding it (weighted, never the origin), which gets the group added to
    /// its copy; at most one copy per member. A queue message bounced back by a member whose last
    /// queue subscriber left is handled the same way: it never returns to the member it came from,
    /// and that member's RS- (sent before the bounce, on the same connection) already removed it.
    /// </summary>
    public void Relay(RouteConnection from, in RouteOp op, Batch batch)
    {
        var origin = from.Member!;
        // A connection mostly carries one account: compare bytes with the last one before a lookup.
        var account = from.LastAccount is { } last && op.Account.SequenceEqual(last.NameUtf8) ? last : LookupAccount(op.Account);
        batch.CountIn(op.Size);
        from.CountIn(account?.Name, op.Size);
        if (account is null || !Relaying)
            return; // nobody ever showed interest in this account, or the leaving gateway relays it
        from.LastAccount = account;
        if (_permissions.FiltersMessages && _permissions.DeniesMessage(Chars(op.Subject)))
            return;

        var match = account.LastMatch(op.Subject);
        if (match is null)
        {
            match = account.Match(Chars(op.Subject));
            account.RememberMatch(op.Subject, match);
        }
        ResetTargets();
        foreach (var member in match.Plain)
        {
            if (!ReferenceEquals(member, origin))
                TargetFor(member);
        }
        if (!op.Queues.IsEmpty && match.Queues.Count > 0)
        {
            foreach (var queue in op.Queues)
            {
                if (match.QueueLookup.TryGetValue(Chars(queue), out var candidates) && candidates.Pick(origin) is { } chosen)
                    TargetFor(chosen).AddQueue(queue);
            }
        }

        foreach (var target in _targets)
        {
            var connection = target.Member.ConnectionFor(account.Name);
            if (connection is null)
                continue;
            connection.WriteMessage(op, from.Kind, account, target.Queues, batch);
        }
    }

    private void ResetTargets()
    {
        foreach (var target in _targets)
        {
            target.Queues.Clear();
            target.Chosen = false;
        }
        _targets.Clear();
    }

    /// <summary>The member's reusable target, added to this message's list once.</summary>
    private Target TargetFor(Member member)
    {
        if (!_targetCache.TryGetValue(member, out var target))
            _targetCache[member] = target = new Target(member);
        if (!target.Chosen)
        {
            target.Chosen = true;
            _targets.Add(target);
        }
        return target;
    }

    /// <summary>Forgets the reusable target of a member that left.</summary>
    private void ForgetTarget(Member member) => _targetCache.Remove(member);

    private AccountInterest? LookupAccount(ReadOnlySpan<byte> account) =>
        _accountLookup.TryGetValue(Chars(account), out var found) ? found : null;

    /// <summary>Bytes as chars in a reused buffer (subjects and names are short; UTF-8 is decoded).</summary>
    private ReadOnlySpan<char> Chars(ReadOnlySpan<byte> bytes)
    {
        if (_chars.Length < bytes.Length)
            _chars = new char[Math.Max(bytes.Length, _chars.Length * 2)];
        var n = Encoding.UTF8.GetChars(bytes, _chars);
        return _chars.AsSpan(0, n);
    }

    /// <summary>One member receiving a copy, and the queue groups chosen for it (space-separated).</summary>
    internal sealed class Target(Member member)
    {
        public Member Member { get; } = member;

        public ArrayBufferWriter<byte> Queues { get; } = new(64);

        public bool Chosen { get; set; }

        public void AddQueue(ReadOnlySpan<byte> queue)
        {
            if (Queues.WrittenCount > 0)
                Queues.Write(" "u8);
            Queues.Write(queue);
        }
    }
}

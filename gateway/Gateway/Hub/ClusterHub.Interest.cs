using Nats.OrleansRoutes.Gateway.Routes;
using Nats.OrleansRoutes.Protocol;

namespace Nats.OrleansRoutes.Gateway.Hub;

// Interest: what members send (RS±, and LS± with the leaf origin), and what each member is told
// (the others' union, per origin to members that announced lnoc).
internal sealed partial class ClusterHub
{
    /// <summary>RS+/RS- or LS+/LS- from a member connection.</summary>
    public void OnInterest(RouteConnection from, in RouteOp op, Batch batch)
    {
        if (op.IsSubscribe && !IsValidSubject(op.Subject))
        {
            // nats-server keeps the connection and only reports the bad subject.
            from.WriteErr("Invalid Subscription", batch);
            return;
        }
        var key = new InterestKey(AsString(op.Account), AsString(op.Subject), op.Queue.IsEmpty ? "" : AsString(op.Queue),
            op.Origin.IsEmpty ? "" : AsString(op.Origin));
        if (op.Kind == RouteOpKind.LeafUnsub && key.Origin.Length == 0)
            key = LeafKeyOf(from, key); // a member without lnocu names no origin in LS-
        var weight = op.IsSubscribe ? (key.Queue.Length == 0 ? 1 : op.Weight) : 0;
        if (weight > 0 && !_permissions.CanExport(key.Subject))
        {
            // Kept aside, not relayed: a later spec whose export allows it brings it in.
            from.RefusedInterest[key] = weight;
            LogInterestRefused(logger, ClusterKey, from.Member!.ServerName, key.Account, key.Subject);
            return;
        }
        if (weight == 0 && from.RefusedInterest.Remove(key))
            return;
        SetRemoteInterest(from, key, weight, batch);
    }

    /// <summary>The leaf-origin entry an origin-less LS- removes: the one LS+ announced for the same subject and queue.</summary>
    private static InterestKey LeafKeyOf(RouteConnection from, InterestKey key)
    {
        foreach (var known in from.RemoteInterest.Keys)
        {
            if (known.Origin.Length > 0 && known.Account == key.Account && known.Subject == key.Subject && known.Queue == key.Queue)
                return known;
        }
        return key;
    }

    /// <summary>
    /// New permissions: members' interest that export now refuses is withdrawn and what it now
    /// allows is taken in; then every member is told what import now lets it see.
    /// </summary>
    private void ApplyPermissions(RoutePermissions permissions, Batch batch)
    {
        _permissions = permissions;
        foreach (var member in _members.Values.ToList())
        {
            foreach (var connection in member.Connections)
            {
                foreach (var (key, weight) in connection.RemoteInterest.ToList())
                {
                    if (permissions.CanExport(key.Subject))
                        continue;
                    SetRemoteInterest(connection, key, 0, batch);
                    connection.RefusedInterest[key] = weight;
                }
                foreach (var (key, weight) in connection.RefusedInterest.ToList())
                {
                    if (!permissions.CanExport(key.Subject))
                        continue;
                    connection.RefusedInterest.Remove(key);
                    SetRemoteInterest(connection, key, weight, batch);
                }
            }
        }
        foreach (var member in _members.Values)
            Reconcile(member, batch);
    }

    /// <summary>
    /// Records that <paramref name="from"/> now has <paramref name="weight"/> for <paramref name="key"/>
    /// — 0 means none — and tells every other member what changed for it.
    /// </summary>
    private void SetRemoteInterest(RouteConnection from, InterestKey key, int weight, Batch batch)
    {
        var member = from.Member!;
        var old = from.RemoteInterest.GetValueOrDefault(key);
        if (old == weight)
            return; // a repeated RS+ is ignored, as nats-server ignores it
        if (weight == 0)
            from.RemoteInterest.Remove(key);
        else
            from.RemoteInterest[key] = weight;

        var accountInterest = Account(key.Account);
        if (!accountInterest.Patterns.TryGetValue(key.Subject, out var pattern))
        {
            if (weight == 0)
                return;
            pattern = new PatternInterest(accountInterest, key.Subject);
            accountInterest.Patterns[key.Subject] = pattern;
            accountInterest.Tree.Add(key.Subject, pattern);
        }

        // Plain interest counts connections, queue interest sums weights.
        var delta = key.Queue.Length == 0 ? (weight == 0 ? -1 : 1) : weight - old;
        if (key.Queue.Length == 0)
        {
            var count = pattern.Plain.GetValueOrDefault(member) + delta;
            if (count > 0)
                pattern.Plain[member] = count;
            else
                pattern.Plain.Remove(member);
        }
        else
        {
            if (!pattern.Queues.TryGetValue(key.Queue, out var group))
                pattern.Queues[key.Queue] = group = new QueueInterest();
            PatternInterest.Add(group, member, delta);
            if (group.Total <= 0)
                pattern.Queues.Remove(key.Queue);
        }
        var originKey = (key.Origin, key.Queue);
        if (!pattern.ByOrigin.TryGetValue(originKey, out var byOrigin))
            pattern.ByOrigin[originKey] = byOrigin = new QueueInterest();
        PatternInterest.Add(byOrigin, member, delta);
        accountInterest.Invalidate();

        foreach (var other in _members.Values)
        {
            if (!ReferenceEquals(other, member))
                Announce(other, pattern, key.Origin, key.Queue, batch);
        }
        if (byOrigin.Total <= 0)
            pattern.ByOrigin.Remove(originKey);
        if (pattern.IsEmpty)
        {
            accountInterest.Patterns.Remove(key.Subject);
            accountInterest.Tree.Remove(key.Subject);
        }
    }

    /// <summary>A connection closed: every interest it carried is withdrawn (the member sends it again on reconnect).</summary>
    private void WithdrawAll(RouteConnection connection, Batch batch)
    {
        foreach (var (key, _) in connection.RemoteInterest.ToList())
            SetRemoteInterest(connection, key, 0, batch);
    }

    /// <summary>
    /// Brings what <paramref name="member"/> has been told for one pattern, queue and leaf origin up
    /// to date. A member without lnoc is told the union over all origins, as RS±.
    /// </summary>
    private void Announce(Member member, PatternInterest pattern, string origin, string queue, Batch batch)
    {
        if (!member.LeafOrigin)
            origin = "";
        var weight = member.LeafOrigin ? pattern.WeightFor(origin, queue, member)
            : queue.Length == 0 ? (pattern.PlainFor(member) ? 1 : 0)
            : pattern.WeightFor(queue, member);
        var desired = !_permissions.CanImport(pattern.Subject) || weight <= 0 ? -1 : queue.Length == 0 ? 0 : weight;
        if (!member.AnnouncedByAccount.TryGetValue(pattern.Account, out var announced))
            member.AnnouncedByAccount[pattern.Account] = announced = new Announced();
        if (announced.Connection is null || announced.Connection.IsClosed)
        {
            // Nothing announced on a live connection: start over on the member's connection for the account.
            announced.Keys.Clear();
            announced.Connection = member.ConnectionFor(pattern.Account);
        }
        if (announced.Connection is not { } connection)
            return; // no connection can carry the account yet; the registration that brings one sends everything
        var key = (origin, pattern.Subject, queue);
        var current = announced.Keys.TryGetValue(key, out var sent) ? sent : -1;
        if (current == desired)
            return;
        if (desired < 0)
            announced.Keys.Remove(key);
        else
            announced.Keys[key] = desired;
        connection.WriteInterest(pattern.Owner, origin, pattern.Subject, queue, desired, batch);
    }

    /// <summary>
    /// After a member's connections changed: every account's interest is announced on the
    /// connection the member now uses for it — withdrawn from the old one if that is still open —
    /// and completed there.
    /// </summary>
    private void Reconcile(Member member, Batch batch)
    {
        foreach (var account in _accounts.Values)
        {
            if (!member.AnnouncedByAccount.TryGetValue(account.Name, out var announced))
                member.AnnouncedByAccount[account.Name] = announced = new Announced();
            var target = member.ConnectionFor(account.Name);
            if (!ReferenceEquals(announced.Connection, target))
            {
                if (announced.Connection is { IsClosed: false } old)
                {
                    foreach (var (origin, subject, queue) in announced.Keys.Keys)
                        old.WriteInterest(account, origin, subject, queue, -1, batch);
                }
                announced.Keys.Clear();
                announced.Connection = target;
            }
            if (target is null)
                continue;
            foreach (var pattern in account.Patterns.Values)
            {
                foreach (var (origin, queue) in pattern.ByOrigin.Keys)
                    Announce(member, pattern, origin, queue, batch);
            }
        }
    }

    private AccountInterest Account(string name)
    {
        if (!_accounts.TryGetValue(name, out var account))
            _accounts[name] = account = new AccountInterest(name);
        return account;
    }

    private static string AsString(ReadOnlySpan<byte> bytes) => System.Text.Encoding.UTF8.GetString(bytes);

    /// <summary>A subject as nats-server accepts it in RS+: non-empty tokens, nothing after a full wildcard.</summary>
    private static bool IsValidSubject(ReadOnlySpan<byte> subject)
    {
        if (subject.IsEmpty)
            return false;
        var tokenStart = 0;
        for (var i = 0; i <= subject.Length; i++)
        {
            if (i < subject.Length && subject[i] != (byte)'.')
                continue;
            var token = subject[tokenStart..i];
            if (token.IsEmpty || (token is [(byte)'>'] && i != subject.Length))
                return false;
            tokenStart = i + 1;
        }
        return true;
    }

    [Microsoft.Extensions.Logging.LoggerMessage(EventId = 2003, Level = Microsoft.Extensions.Logging.LogLevel.Debug,
        Message = "{Cluster}: member {Member}'s interest in {Account} {Subject} is not relayed: the cluster's export permissions refuse it")]
    private static partial void LogInterestRefused(Microsoft.Extensions.Logging.ILogger logger, string cluster, string member, string account, string subject);
}

using Nats.OrleansRoutes.Gateway.Routes;
using Nats.OrleansRoutes.Protocol;

namespace Nats.OrleansRoutes.Gateway.Hub;

// Interest: what members send (RS+/RS-), and what each member is told (the others' union).
internal sealed partial class ClusterHub
{
    /// <summary>RS+ or RS- (and LS±, treated alike: the hub does not announce lnoc) from a member connection.</summary>
    public void OnInterest(RouteConnection from, in RouteOp op, Batch batch)
    {
        var account = AsString(op.Account);
        var subject = AsString(op.Subject);
        var queue = op.Queue.IsEmpty ? "" : AsString(op.Queue);
        if (op.IsSubscribe && !IsValidSubject(op.Subject))
        {
            // nats-server keeps the connection and only reports the bad subject.
            from.WriteErr("Invalid Subscription", batch);
            return;
        }
        var weight = op.IsSubscribe ? (queue.Length == 0 ? 1 : op.Weight) : 0;
        var key = (account, subject, queue);
        if (weight > 0 && !_permissions.CanExport(subject))
        {
            // Kept aside, not relayed: a later spec whose export allows it brings it in.
            from.RefusedInterest[key] = weight;
            LogInterestRefused(logger, ClusterKey, from.Member!.ServerName, account, subject);
            return;
        }
        if (weight == 0 && from.RefusedInterest.Remove(key))
            return;
        SetRemoteInterest(from, account, subject, queue, weight, batch);
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
                foreach (var ((account, subject, queue), weight) in connection.RemoteInterest.ToList())
                {
                    if (permissions.CanExport(subject))
                        continue;
                    SetRemoteInterest(connection, account, subject, queue, 0, batch);
                    connection.RefusedInterest[(account, subject, queue)] = weight;
                }
                foreach (var ((account, subject, queue), weight) in connection.RefusedInterest.ToList())
                {
                    if (!permissions.CanExport(subject))
                        continue;
                    connection.RefusedInterest.Remove((account, subject, queue));
                    SetRemoteInterest(connection, account, subject, queue, weight, batch);
                }
            }
        }
        foreach (var member in _members.Values)
            Reconcile(member, batch);
    }

    /// <summary>
    /// Records that <paramref name="from"/> now has <paramref name="weight"/> for (account, subject,
    /// queue) — 0 means none — and tells every other member what changed for it.
    /// </summary>
    private void SetRemoteInterest(RouteConnection from, string account, string subject, string queue, int weight, Batch batch)
    {
        var member = from.Member!;
        var key = (account, subject, queue);
        var old = from.RemoteInterest.GetValueOrDefault(key);
        if (old == weight)
            return; // a repeated RS+ is ignored, as nats-server ignores it
        if (weight == 0)
            from.RemoteInterest.Remove(key);
        else
            from.RemoteInterest[key] = weight;

        var accountInterest = Account(account);
        if (!accountInterest.Patterns.TryGetValue(subject, out var pattern))
        {
            if (weight == 0)
                return;
            pattern = new PatternInterest(accountInterest, subject);
            accountInterest.Patterns[subject] = pattern;
            accountInterest.Tree.Add(subject, pattern);
        }

        if (queue.Length == 0)
        {
            var count = pattern.Plain.GetValueOrDefault(member) + (weight == 0 ? -1 : 1);
            if (count > 0)
                pattern.Plain[member] = count;
            else
                pattern.Plain.Remove(member);
        }
        else
        {
            if (!pattern.Queues.TryGetValue(queue, out var group))
                pattern.Queues[queue] = group = new QueueInterest();
            var memberWeight = group.Weights.GetValueOrDefault(member) + weight - old;
            group.Total += weight - old;
            if (memberWeight > 0)
                group.Weights[member] = memberWeight;
            else
                group.Weights.Remove(member);
            if (group.Total <= 0)
                pattern.Queues.Remove(queue);
        }
        accountInterest.Invalidate();

        foreach (var other in _members.Values)
        {
            if (!ReferenceEquals(other, member))
                Announce(other, pattern, queue, batch);
        }
        if (pattern.IsEmpty)
        {
            accountInterest.Patterns.Remove(subject);
            accountInterest.Tree.Remove(subject);
        }
    }

    /// <summary>A connection closed: every interest it carried is withdrawn (the member sends it again on reconnect).</summary>
    private void WithdrawAll(RouteConnection connection, Batch batch)
    {
        foreach (var ((account, subject, queue), _) in connection.RemoteInterest.ToList())
            SetRemoteInterest(connection, account, subject, queue, 0, batch);
    }

    /// <summary>Brings what <paramref name="member"/> has been told for one pattern (and queue) up to date.</summary>
    private void Announce(Member member, PatternInterest pattern, string queue, Batch batch)
    {
        var desired = !_permissions.CanImport(pattern.Subject) ? -1
            : queue.Length == 0 ? (pattern.PlainFor(member) ? 0 : -1)
            : pattern.WeightFor(queue, member) is > 0 and var w ? w : -1;
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
        var key = (pattern.Subject, queue);
        var current = announced.Keys.TryGetValue(key, out var sent) ? sent : -1;
        if (current == desired)
            return;
        if (desired < 0)
            announced.Keys.Remove(key);
        else
            announced.Keys[key] = desired;
        connection.WriteInterest(pattern.Owner, pattern.Subject, queue, desired, batch);
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
                    foreach (var (subject, queue) in announced.Keys.Keys)
                        old.WriteInterest(account, subject, queue, -1, batch);
                }
                announced.Keys.Clear();
                announced.Connection = target;
            }
            if (target is null)
                continue;
            foreach (var pattern in account.Patterns.Values)
            {
                Announce(member, pattern, "", batch);
                foreach (var queue in pattern.Queues.Keys)
                    Announce(member, pattern, queue, batch);
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

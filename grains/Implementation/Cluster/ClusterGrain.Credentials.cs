using Nats.OrleansRoutes.Config.Cluster;
using Nats.OrleansRoutes.Grains.Security;

namespace Nats.OrleansRoutes.Grains.Cluster;

// The inbound route credential (hashed, rotated with a grace period) and route authorization.
public sealed partial class ClusterGrain
{
    public async Task<string> RotateCredentials(TimeSpan grace)
    {
        if (grace < TimeSpan.Zero)
            throw new ClusterRequestException($"grace {grace} is negative");
        var current = State.Credential ?? throw new ClusterRequestException($"cluster {Key} has no route credential to rotate");
        var password = PasswordGenerator.New();
        var now = Time.GetUtcNow();
        State.Previous = grace > TimeSpan.Zero ? current : null;
        State.PreviousValidUntil = grace > TimeSpan.Zero ? now + grace : null;
        State.Credential = current with { Hash = PasswordHash.Create(password, _options.Pbkdf2Iterations) };
        State.RotatedAt = now;
        await CommitChangeAsync();
        LogRotated(logger, Key, State.Version, grace);
        return password;
    }

    /// <summary><c>cluster set … authorization.password X</c>: the new password replaces the old one at once.</summary>
    private async Task<long> SetPasswordAsync(string password)
    {
        if (password.Length == 0)
            throw new ClusterRequestException("the route password must not be empty");
        var user = State.Credential?.User ?? Spec.Authorization?.User;
        State.Credential = new StoredCredential(user, PasswordHash.Create(password, _options.Pbkdf2Iterations));
        State.Previous = null;
        State.PreviousValidUntil = null;
        State.RotatedAt = Time.GetUtcNow();
        await CommitChangeAsync();
        LogPasswordSet(logger, Key, State.Version);
        return State.Version;
    }

    /// <summary>The credential a file's authorization block gives: its password hashed, or its bcrypt hash kept.</summary>
    private StoredCredential? CredentialFrom(RouteAuthorization? authorization, string source)
    {
        if (authorization?.Password is not { } password)
            return null;
        var text = password.Reveal();
        if (PasswordHash.BcryptCost(text) is { } cost)
        {
            if (cost > _options.MaxBcryptCost)
            {
                throw new ClusterRequestException(
                    $"{source}: the bcrypt hash has cost {cost}; the service verifies route passwords during handshakes and accepts cost {_options.MaxBcryptCost} at most (rehash with a lower cost)");
            }
            return new StoredCredential(authorization.User, text);
        }
        return new StoredCredential(authorization.User, PasswordHash.Create(text, _options.Pbkdf2Iterations));
    }

    public Task<AuthorizationDecision> Authorize(RouteHandshake handshake)
    {
        if (!StateExists)
            return Task.FromResult(AuthorizationDecision.Deny(0, $"cluster {Key} does not exist"));
        var version = State.Version;
        var spec = Spec;

        if (string.IsNullOrEmpty(handshake.ClusterName) || handshake.ClusterName != spec.Name)
            return Deny($"cluster name \"{handshake.ClusterName}\" does not match \"{spec.Name}\"");

        if (spec.Tls?.VerifyAndMap == true)
        {
            // nats-server maps the first of the certificate's names that equals the route user.
            var user = State.Credential?.User;
            if (user is null || handshake.TlsIdentities?.Contains(user) != true)
            {
                var names = handshake.TlsIdentities is { Count: > 0 } list ? string.Join(", ", list.Select(n => $"\"{n}\"")) : "none";
                return Deny($"no name of the certificate ({names}) is the route user \"{user}\"");
            }
        }
        else if (State.Credential is { } credential && !AcceptsCurrentOrPrevious(credential, handshake))
            return Deny($"authentication error - User \"{handshake.User}\"");

        if (handshake.PoolIndex is { } index && (index < 0 || index >= Math.Max(spec.PoolSize, handshake.PoolSize ?? 0)))
            return Deny($"Invalid route pool index: {index} - pool size is {Math.Max(spec.PoolSize, handshake.PoolSize ?? 0)}");

        var warnings = new List<string>();
        if (handshake.PinnedAccount is { } account && !spec.EffectivePinnedAccounts.Contains(account))
        {
            warnings.Add($"member at {handshake.Remote} pins account \"{account}\" but cluster {Key} does not; its traffic still flows, "
                + $"but pin it everywhere (natsroutes account pin {Key} {account}) or unpin it on the member");
        }
        if (handshake.PoolSize is { } memberPool && spec.PoolingEnabled && memberPool != spec.PoolSize)
            warnings.Add($"member at {handshake.Remote} has pool_size {memberPool}, the cluster spec says {spec.PoolSize}");
        return Task.FromResult(AuthorizationDecision.Allow(version, warnings));

        Task<AuthorizationDecision> Deny(string reason) => Task.FromResult(AuthorizationDecision.Deny(version, reason));
    }

    /// <summary>The current credential, or the previous one while a rotation's grace lasts (user and password).</summary>
    private bool AcceptsCurrentOrPrevious(StoredCredential credential, RouteHandshake handshake)
    {
        if (handshake.Password is not { } password)
            return false;
        var previous = State.Previous is { } old && State.PreviousValidUntil is { } until && until > Time.GetUtcNow() ? old : null;
        var hashes = new List<string>(2);
        foreach (var candidate in previous is null ? [credential] : new[] { credential, previous })
        {
            if (string.Equals(candidate.User ?? "", handshake.User ?? "", StringComparison.Ordinal))
                hashes.Add(candidate.Hash);
        }
        return _acceptedPasswords.Verify(password, hashes);
    }
}

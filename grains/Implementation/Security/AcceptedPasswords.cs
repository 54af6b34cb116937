using System.Security.Cryptography;
using System.Text;

namespace Nats.OrleansRoutes.Grains.Security;

/// <summary>
/// The passwords a grain activation has already verified against a stored hash, so each is put
/// through PBKDF2 or bcrypt once per activation, not once per gateway: after a failover every
/// cluster's first route reaches the new gateway with an empty decision cache, and 1 000 clusters ×
/// 100 000 PBKDF2 iterations would otherwise cost the silo tens of seconds of CPU just then.
/// Kept as HMAC-SHA256 under a random key of this activation (never the password), compared in
/// constant time; a stored hash that changes (rotation, import) has no entry, and a refused
/// password is never remembered. What it trades: someone who can read the silo's memory can test
/// guesses at HMAC speed for the activation's life, instead of PBKDF2's.
/// </summary>
internal sealed class AcceptedPasswords(Func<string, string, bool> verify)
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly Dictionary<string, byte[]> _byStoredHash = new(StringComparer.Ordinal);

    public AcceptedPasswords()
        : this(PasswordHash.Verify)
    {
    }

    /// <summary>Whether <paramref name="password"/> was accepted before for <paramref name="storedHash"/> (no slow check).</summary>
    public bool Remembered(string password, string storedHash) => Remembered(Digest(password), storedHash);

    /// <summary>Whether <paramref name="password"/> matches <paramref name="storedHash"/>; the slow check only for a password not accepted before.</summary>
    public bool Verify(string password, string storedHash) => Verify(password, [storedHash]);

    /// <summary>
    /// Whether <paramref name="password"/> matches any of <paramref name="storedHashes"/> (the
    /// current credential, and the previous one during a rotation's grace): every remembered
    /// answer is looked at before any slow check, so a member still on the old password costs none
    /// against the new hash.
    /// </summary>
    public bool Verify(string password, IReadOnlyList<string> storedHashes)
    {
        var digest = Digest(password);
        foreach (var storedHash in storedHashes)
        {
            if (Remembered(digest, storedHash))
                return true;
        }
        foreach (var storedHash in storedHashes)
        {
            if (!verify(password, storedHash))
                continue;
            // The current and the previous credential during a rotation: a few entries at most.
            if (_byStoredHash.Count >= 4)
                _byStoredHash.Clear();
            _byStoredHash[storedHash] = digest;
            return true;
        }
        return false;
    }

    private bool Remembered(byte[] digest, string storedHash) =>
        _byStoredHash.TryGetValue(storedHash, out var accepted) && CryptographicOperations.FixedTimeEquals(accepted, digest);

    private byte[] Digest(string password) => HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(password));
}

using System.Security.Cryptography;
using System.Text;

namespace Nats.OrleansRoutes.Grains.Security;

/// <summary>
/// A stored route password: a salted PBKDF2-SHA256 hash (<c>pbkdf2-sha256$iterations$salt$hash</c>,
/// base64) or an imported bcrypt hash (<c>$2a$…</c>), checked as bcrypt. Both compare in constant time.
/// </summary>
public static class PasswordHash
{
    private const string Pbkdf2Prefix = "pbkdf2-sha256$";
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    public static string Create(string password, int iterations)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, HashBytes);
        return $"{Pbkdf2Prefix}{iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    /// <summary>"pbkdf2" or "bcrypt" (what kind of hash is stored).</summary>
    public static string Kind(string stored) => Bcrypt.IsBcryptHash(stored) ? "bcrypt" : "pbkdf2";

    public static bool Verify(string password, string stored)
    {
        if (Bcrypt.IsBcryptHash(stored))
            return Bcrypt.Verify(password, stored);
        if (!stored.StartsWith(Pbkdf2Prefix, StringComparison.Ordinal))
            return false;
        var parts = stored[Pbkdf2Prefix.Length..].Split('$');
        if (parts.Length != 3 || !int.TryParse(parts[0], System.Globalization.CultureInfo.InvariantCulture, out var iterations))
            return false;
        try
        {
            var salt = Convert.FromBase64String(parts[1]);
            var expected = Convert.FromBase64String(parts[2]);
            var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
            return CryptographicOperations.FixedTimeEquals(actual, expected);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>The cost of a bcrypt hash (its $NN$ field), or null for other hashes.</summary>
    public static int? BcryptCost(string stored) =>
        Bcrypt.IsBcryptHash(stored) && int.TryParse(stored.AsSpan(4, 2), System.Globalization.CultureInfo.InvariantCulture, out var cost) ? cost : null;
}

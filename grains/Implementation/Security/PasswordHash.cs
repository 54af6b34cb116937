using System.Security.Cryptography;
using System.Text;

namespace Nats.OrleansRoutes.Grains.Security;

/// <summary>
/// A stored route password: a salted PBKDF2-SHA256 hash (<c>pbkdf2-sha256$iterations$salt$hash</c>,
/// base64) or an imported bcrypt hash (<c>$2a$…</c>, as nats-server accepts in configuration files),
/// checked with BCrypt.Net-Next. Both compare in constant time.
/// </summary>
public static class PasswordHash
{
    private const string Pbkdf2Prefix = "pbkdf2-sha256$";
    private const int SaltBytes = 16;
    private const int HashBytes = 32;
    private const int BcryptLength = 60;
    private const int BcryptSaltEnd = 28;
    private const string BcryptAlphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static readonly System.Buffers.SearchValues<char> BcryptDigits = System.Buffers.SearchValues.Create(BcryptAlphabet);

    public static string Create(string password, int iterations)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, HashBytes);
        return $"{Pbkdf2Prefix}{iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    /// <summary>"pbkdf2" or "bcrypt" (what kind of hash is stored).</summary>
    public static string Kind(string stored) => IsBcrypt(stored) ? "bcrypt" : "pbkdf2";

    public static bool Verify(string password, string stored)
    {
        if (IsBcrypt(stored))
            return VerifyBcrypt(password, stored);
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
        IsBcrypt(stored) && int.TryParse(stored.AsSpan(4, 2), System.Globalization.CultureInfo.InvariantCulture, out var cost) ? cost : null;

    /// <summary>
    /// The shape of a bcrypt hash nats-server (Go's x/crypto/bcrypt) accepts: <c>$2a$</c>, <c>$2b$</c>
    /// or <c>$2y$</c>, a two-digit cost from 04 to 31, and 53 characters of salt and digest in
    /// bcrypt's radix-64 alphabet.
    /// </summary>
    public static bool IsBcrypt(string stored) =>
        stored.Length == BcryptLength && stored[0] == '$' && stored[1] == '2' && stored[2] is 'a' or 'b' or 'y' && stored[3] == '$'
        && char.IsAsciiDigit(stored[4]) && char.IsAsciiDigit(stored[5]) && stored[6] == '$'
        && int.Parse(stored.AsSpan(4, 2), System.Globalization.CultureInfo.InvariantCulture) is >= 4 and <= 31
        && !stored.AsSpan(7).ContainsAnyExcept(BcryptDigits);

    private static bool VerifyBcrypt(string password, string stored)
    {
        // The salt's last digit carries 2 salt bits and 4 unused ones. Go ignores the unused bits
        // (so nats-server accepts any of the 16 spellings); BCrypt.Net wants them zero.
        var digit = BcryptAlphabet.IndexOf(stored[BcryptSaltEnd], StringComparison.Ordinal);
        var canonical = string.Create(stored.Length, (stored, BcryptAlphabet[digit & 0x30]), static (span, s) =>
        {
            s.stored.AsSpan().CopyTo(span);
            span[BcryptSaltEnd] = s.Item2;
        });
        try
        {
            return BCrypt.Net.BCrypt.Verify(password, canonical);
        }
        catch (Exception e) when (e is BCrypt.Net.SaltParseException or ArgumentException)
        {
            return false;
        }
    }
}

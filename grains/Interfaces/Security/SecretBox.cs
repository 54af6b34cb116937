using System.Security.Cryptography;
using System.Text;

namespace Nats.OrleansRoutes.Grains.Security;

/// <summary>
/// Seals small secrets (solicit route passwords) at rest with AES-256-GCM: base64 of
/// nonce (12) + tag (16) + ciphertext. The cluster grain seals, the gateway that dials the route
/// opens; both get the same key from configuration, and it never leaves the process.
/// </summary>
public sealed class SecretBox
{
    private const int NonceBytes = 12;
    private const int TagBytes = 16;
    private readonly byte[] _key;

    public SecretBox(string base64Key)
    {
        _key = base64Key.Length == 0 ? RandomNumberGenerator.GetBytes(32) : Convert.FromBase64String(base64Key);
        if (_key.Length != 32)
            throw new ArgumentException("a secrets key is 32 bytes (base64)", nameof(base64Key));
    }

    public static bool IsValidKey(string base64Key)
    {
        try
        {
            return Convert.FromBase64String(base64Key).Length == 32;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    public string Seal(string secret)
    {
        var plain = Encoding.UTF8.GetBytes(secret);
        var output = new byte[NonceBytes + TagBytes + plain.Length];
        var nonce = output.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagBytes);
        aes.Encrypt(nonce, plain, output.AsSpan(NonceBytes + TagBytes), output.AsSpan(NonceBytes, TagBytes));
        return Convert.ToBase64String(output);
    }

    /// <summary>Opens a sealed secret; throws <see cref="CryptographicException"/> when the key is wrong or the data altered.</summary>
    public string Open(string sealedSecret)
    {
        var input = Convert.FromBase64String(sealedSecret);
        if (input.Length < NonceBytes + TagBytes)
            throw new CryptographicException("sealed secret is too short");
        var plain = new byte[input.Length - NonceBytes - TagBytes];
        using var aes = new AesGcm(_key, TagBytes);
        aes.Decrypt(input.AsSpan(0, NonceBytes), input.AsSpan(NonceBytes + TagBytes), input.AsSpan(NonceBytes, TagBytes), plain);
        return Encoding.UTF8.GetString(plain);
    }
}

/// <summary>Random route passwords: 32 characters of URL-safe base64 (192 bits), usable in a route URL as is.</summary>
public static class PasswordGenerator
{
    public static string New() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');
}

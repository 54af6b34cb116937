using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Nats.OrleansRoutes.Grains.Security;

/// <summary>
/// bcrypt password hashing (Provos and Mazières, "A Future-Adaptable Password Scheme", 1999), as used by
/// nats-server for route and client passwords given in the <c>$2a$11$...</c> form.
/// </summary>
/// <remarks>
/// <para>
/// A hash is <c>$2&lt;minor&gt;$&lt;cost&gt;$&lt;salt&gt;&lt;digest&gt;</c>: minor <c>a</c>, <c>b</c> or <c>y</c>,
/// a two-digit cost between 04 and 31, 22 characters of salt (16 bytes) and 31 characters of digest (23 bytes),
/// both in bcrypt's own radix-64 alphabet <c>./A-Za-z0-9</c>; 60 characters in all.
/// </para>
/// <para>
/// The key is the password's UTF-8 bytes followed by a NUL, cut to 72 bytes. The three minors are treated
/// alike, which is exact for every password shorter than 255 bytes and matches nats-server (Go's
/// <c>x/crypto/bcrypt</c>) for all lengths; see <see cref="Verify"/> for the one historical difference.
/// </para>
/// </remarks>
public static class Bcrypt
{
    private const int MinCost = 4;
    private const int MaxCost = 31;
    private const int SaltBytes = 16;
    private const int DigestBytes = 23;
    private const int SaltChars = 22;
    private const int DigestChars = 31;
    private const int PrefixLength = 7;                                         // "$2a$11$"
    private const int HashLength = PrefixLength + SaltChars + DigestChars;     // 60
    private const int MaxKeyBytes = 72;                                         // 18 subkeys x 4 bytes
    private const int KeyWords = 18;

    /// <summary>The 24-byte plaintext that the derived Blowfish state encrypts 64 times.</summary>
    private static ReadOnlySpan<byte> MagicText => "OrpheanBeholderScryDoubt"u8;

    /// <summary>bcrypt's radix-64 digits, in value order (not the order of RFC 4648 base64).</summary>
    private static ReadOnlySpan<char> Radix64Digits =>
        "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>
    /// Checks a clear-text password against a bcrypt hash (<c>$2a$</c>, <c>$2b$</c> or <c>$2y$</c>).
    /// </summary>
    /// <param name="password">The password as presented, e.g. in a route CONNECT.</param>
    /// <param name="hash">The stored 60-character hash.</param>
    /// <returns>
    /// True when the password produces the hash's digest; false when it does not, and false (never an
    /// exception) when <paramref name="hash"/> is null or not a well-formed bcrypt hash.
    /// </returns>
    /// <remarks>
    /// The digest comparison takes the same time wherever the first difference lies. The work done is
    /// 2^cost key expansions as the hash demands, so a hash from an untrusted source with a high cost can
    /// take very long; hashes here come from the server's own configuration. OpenBSD's original <c>$2a$</c>
    /// code stored the key length plus NUL in 8 bits, so for some passwords of 255 bytes or more it hashed
    /// fewer bytes than it should; like Go and libxcrypt, this class does not reproduce that bug.
    /// </remarks>
    public static bool Verify(string password, string hash)
    {
        ArgumentNullException.ThrowIfNull(password);
        Span<byte> salt = stackalloc byte[SaltBytes];
        if (!TryParse(hash, salt, out int cost))
        {
            return false;
        }

        Span<byte> digest = stackalloc byte[DigestBytes];
        Span<char> expected = stackalloc char[DigestChars];
        DeriveDigest(password, salt, cost, digest);
        EncodeRadix64(digest, expected);
        CryptographicOperations.ZeroMemory(digest);

        ReadOnlySpan<char> stored = hash.AsSpan(PrefixLength + SaltChars, DigestChars);
        return CryptographicOperations.FixedTimeEquals(
            MemoryMarshal.AsBytes((ReadOnlySpan<char>)expected),
            MemoryMarshal.AsBytes(stored));
    }

    /// <summary>Hashes a password with a fresh random salt, producing a <c>$2a$</c> hash.</summary>
    /// <param name="password">The clear-text password; only its first 72 UTF-8 bytes count.</param>
    /// <param name="cost">The base-2 logarithm of the number of key expansion rounds, 4 to 31.</param>
    /// <returns>A 60-character hash such as <c>$2a$11$</c> followed by salt and digest.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="cost"/> is outside 4..31.</exception>
    public static string Hash(string password, int cost = 11)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentOutOfRangeException.ThrowIfLessThan(cost, MinCost);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(cost, MaxCost);

        Span<byte> salt = stackalloc byte[SaltBytes];
        Span<byte> digest = stackalloc byte[DigestBytes];
        RandomNumberGenerator.Fill(salt);
        DeriveDigest(password, salt, cost, digest);

        Span<char> text = stackalloc char[HashLength];
        "$2a$".CopyTo(text);
        text[4] = (char)('0' + (cost / 10));
        text[5] = (char)('0' + (cost % 10));
        text[6] = '$';
        EncodeRadix64(salt, text.Slice(PrefixLength, SaltChars));
        EncodeRadix64(digest, text.Slice(PrefixLength + SaltChars, DigestChars));
        CryptographicOperations.ZeroMemory(digest);
        return new string(text);
    }

    /// <summary>
    /// Whether a string has the shape of a bcrypt hash this class can verify: <c>$2a$</c>, <c>$2b$</c> or
    /// <c>$2y$</c>, a cost of 04 to 31, and 53 radix-64 characters of salt and digest.
    /// </summary>
    /// <param name="value">Any string, e.g. a configured password.</param>
    /// <returns>True for a well-formed hash; it says nothing about which password it was made from.</returns>
    public static bool IsBcryptHash(string value)
    {
        Span<byte> salt = stackalloc byte[SaltBytes];
        return TryParse(value, salt, out _);
    }

    /// <summary>Splits a hash into cost and decoded salt, rejecting anything not exactly well formed.</summary>
    private static bool TryParse(string? hash, Span<byte> salt, out int cost)
    {
        cost = 0;
        if (hash is null || hash.Length != HashLength
            || hash[0] != '$' || hash[1] != '2' || hash[2] is not ('a' or 'b' or 'y') || hash[3] != '$'
            || !char.IsAsciiDigit(hash[4]) || !char.IsAsciiDigit(hash[5]) || hash[6] != '$')
        {
            return false;
        }

        cost = ((hash[4] - '0') * 10) + (hash[5] - '0');
        if (cost is < MinCost or > MaxCost)
        {
            return false;
        }

        // The 22nd salt character carries 4 bits beyond the 128 of the salt; like nats-server (Go) they are
        // ignored. The digest is compared as text, so its characters only need to be valid digits here.
        ReadOnlySpan<char> digest = hash.AsSpan(PrefixLength + SaltChars);
        foreach (char c in digest)
        {
            if (Radix64Value(c) < 0)
            {
                return false;
            }
        }

        return DecodeRadix64(hash.AsSpan(PrefixLength, SaltChars), salt);
    }

    /// <summary>
    /// The bcrypt function proper: an expensively keyed Blowfish state encrypts the magic text 64 times;
    /// the first 23 of the 24 ciphertext bytes are the digest.
    /// </summary>
    private static void DeriveDigest(string password, ReadOnlySpan<byte> salt, int cost, Span<byte> digest)
    {
        Span<uint> keyStream = stackalloc uint[KeyWords];
        Span<uint> saltStream = stackalloc uint[KeyWords];
        Span<uint> block = stackalloc uint[MagicText.Length / 4];
        Span<byte> output = stackalloc byte[MagicText.Length];
        var state = new EksBlowfish();
        try
        {
            BuildKeyStream(password, keyStream);
            for (int i = 0; i < KeyWords; i++)
            {
                // The salt, read cyclically as a key: 16 bytes are 4 words, repeated.
                saltStream[i] = BinaryPrimitives.ReadUInt32BigEndian(salt[(4 * (i % 4))..]);
            }

            state.Setup(cost, keyStream, saltStream);

            for (int i = 0; i < block.Length; i++)
            {
                block[i] = BinaryPrimitives.ReadUInt32BigEndian(MagicText[(4 * i)..]);
            }

            for (int round = 0; round < 64; round++)
            {
                for (int i = 0; i < block.Length; i += 2)
                {
                    state.Encrypt(ref block[i], ref block[i + 1]);
                }
            }

            for (int i = 0; i < block.Length; i++)
            {
                BinaryPrimitives.WriteUInt32BigEndian(output[(4 * i)..], block[i]);
            }

            output[..DigestBytes].CopyTo(digest);
        }
        finally
        {
            state.Clear();
            CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(keyStream));
            CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(block));
            CryptographicOperations.ZeroMemory(output);
        }
    }

    /// <summary>
    /// Turns the password into the 18 big-endian words XORed into the subkeys: its UTF-8 bytes and a NUL,
    /// repeated as often as needed to fill 72 bytes, or simply its first 72 bytes when it is that long.
    /// </summary>
    private static void BuildKeyStream(string password, Span<uint> keyStream)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(password);
        Span<byte> key = stackalloc byte[MaxKeyBytes];
        Span<byte> stream = stackalloc byte[MaxKeyBytes];
        try
        {
            int used = Math.Min(utf8.Length, MaxKeyBytes);
            utf8.AsSpan(0, used).CopyTo(key);
            int keyLength = used;
            if (keyLength < MaxKeyBytes)
            {
                key[keyLength++] = 0;
            }

            for (int i = 0; i < MaxKeyBytes; i++)
            {
                stream[i] = key[i % keyLength];
            }

            for (int i = 0; i < KeyWords; i++)
            {
                keyStream[i] = BinaryPrimitives.ReadUInt32BigEndian(stream[(4 * i)..]);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(utf8);
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(stream);
        }
    }

    /// <summary>Writes bytes as radix-64 digits, most significant bits first, without padding.</summary>
    private static void EncodeRadix64(ReadOnlySpan<byte> source, Span<char> destination)
    {
        int written = 0;
        int pending = 0;    // bits held in carry, always below 6 between bytes
        uint carry = 0;
        foreach (byte b in source)
        {
            carry = (carry << 8) | b;
            pending += 8;
            while (pending >= 6)
            {
                pending -= 6;
                destination[written++] = Radix64Digits[(int)((carry >> pending) & 0x3F)];
            }
        }

        if (pending > 0)
        {
            destination[written++] = Radix64Digits[(int)((carry << (6 - pending)) & 0x3F)];
        }

        if (written != destination.Length)
        {
            throw new ArgumentException("Destination length does not match the source.", nameof(destination));
        }
    }

    /// <summary>
    /// Reads radix-64 digits into exactly <paramref name="destination"/>.Length bytes; bits left over in
    /// the last digit are ignored. False for a wrong number of digits or a character outside the alphabet.
    /// </summary>
    private static bool DecodeRadix64(ReadOnlySpan<char> source, Span<byte> destination)
    {
        if (source.Length != ((destination.Length * 8) + 5) / 6)
        {
            return false;
        }

        int filled = 0;
        int pending = 0;
        uint carry = 0;
        foreach (char c in source)
        {
            int value = Radix64Value(c);
            if (value < 0)
            {
                return false;
            }

            carry = (carry << 6) | (uint)value;
            pending += 6;
            if (pending >= 8 && filled < destination.Length)
            {
                pending -= 8;
                destination[filled++] = (byte)(carry >> pending);
            }
        }

        return filled == destination.Length;
    }

    /// <summary>The value of one radix-64 digit, or -1 when the character is not one.</summary>
    private static int Radix64Value(char c) => c switch
    {
        '.' => 0,
        '/' => 1,
        >= 'A' and <= 'Z' => c - 'A' + 2,
        >= 'a' and <= 'z' => c - 'a' + 28,
        >= '0' and <= '9' => c - '0' + 54,
        _ => -1,
    };

    /// <summary>
    /// A Blowfish state and the "expensive key schedule" bcrypt builds on it. Each key expansion XORs a
    /// key stream into the 18 subkeys and then replaces all 18 + 1024 state words, two at a time, with
    /// successive encryptions of a running block (optionally mixed with a salt stream).
    /// </summary>
    private sealed class EksBlowfish
    {
        private const int Rounds = 16;
        private const int SubkeyCount = Rounds + 2;
        private const int SboxSize = 256;

        private readonly uint[] _subkeys = new uint[SubkeyCount];
        private readonly uint[] _sboxes = new uint[4 * SboxSize];

        /// <summary>
        /// EksBlowfishSetup: start from the digits of pi, expand once with key and salt, then 2^cost
        /// times alternately with the key alone and with the salt alone.
        /// </summary>
        public void Setup(int cost, ReadOnlySpan<uint> keyStream, ReadOnlySpan<uint> saltStream)
        {
            BlowfishTables.P.CopyTo(_subkeys);
            BlowfishTables.S0.CopyTo(_sboxes.AsSpan(0 * SboxSize));
            BlowfishTables.S1.CopyTo(_sboxes.AsSpan(1 * SboxSize));
            BlowfishTables.S2.CopyTo(_sboxes.AsSpan(2 * SboxSize));
            BlowfishTables.S3.CopyTo(_sboxes.AsSpan(3 * SboxSize));

            Expand(keyStream, saltStream);
            ulong iterations = 1UL << cost;
            for (ulong i = 0; i < iterations; i++)
            {
                Expand(keyStream, default);
                Expand(saltStream, default);
            }
        }

        /// <summary>Encrypts one 64-bit block, given as its big-endian halves, in place.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Encrypt(ref uint left, ref uint right)
        {
            uint[] p = _subkeys;
            uint l = left ^ p[0];
            uint r = right;
            for (int i = 1; i < Rounds; i += 2)
            {
                r ^= Feistel(l) ^ p[i];
                l ^= Feistel(r) ^ p[i + 1];
            }

            // The halves end swapped relative to the usual round-by-round description.
            left = r ^ p[SubkeyCount - 1];
            right = l;
        }

        /// <summary>Overwrites the key-dependent state with zeros.</summary>
        public void Clear()
        {
            Array.Clear(_subkeys);
            Array.Clear(_sboxes);
        }

        /// <summary>
        /// One key expansion. With an empty <paramref name="saltStream"/> this is Blowfish's own key
        /// schedule; otherwise the salt words (4, cycled) are XORed into the running block before each
        /// encryption.
        /// </summary>
        private void Expand(ReadOnlySpan<uint> keyStream, ReadOnlySpan<uint> saltStream)
        {
            bool salted = !saltStream.IsEmpty;
            uint[] p = _subkeys;
            uint[] s = _sboxes;
            for (int i = 0; i < SubkeyCount; i++)
            {
                p[i] ^= keyStream[i];
            }

            uint l = 0;
            uint r = 0;
            int saltIndex = 0;
            for (int i = 0; i < p.Length; i += 2)
            {
                if (salted)
                {
                    l ^= saltStream[saltIndex];
                    r ^= saltStream[saltIndex + 1];
                    saltIndex = (saltIndex + 2) & 3;
                }

                Encrypt(ref l, ref r);
                p[i] = l;
                p[i + 1] = r;
            }

            for (int i = 0; i < s.Length; i += 2)
            {
                if (salted)
                {
                    l ^= saltStream[saltIndex];
                    r ^= saltStream[saltIndex + 1];
                    saltIndex = (saltIndex + 2) & 3;
                }

                Encrypt(ref l, ref r);
                s[i] = l;
                s[i + 1] = r;
            }
        }

        /// <summary>Blowfish's round function: four S-box lookups combined by add, XOR, add.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private uint Feistel(uint x)
        {
            uint[] s = _sboxes;
            return ((s[(int)(x >> 24)] + s[SboxSize + (int)((x >> 16) & 0xFF)])
                    ^ s[(2 * SboxSize) + (int)((x >> 8) & 0xFF)])
                   + s[(3 * SboxSize) + (int)(x & 0xFF)];
        }
    }
}

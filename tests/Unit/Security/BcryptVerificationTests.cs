using System.Text;
using System.Text.RegularExpressions;
using Nats.OrleansRoutes.Grains.Security;

namespace Nats.OrleansRoutes.Tests.Unit.Security;

/// <summary>
/// Imported bcrypt hashes verify as nats-server (Go) verifies them: <see cref="PasswordHash"/> over
/// BCrypt.Net-Next, checked against hashes made by independent implementations.
/// </summary>
public sealed partial class BcryptVerificationTests
{
    private const string KnownPassword = "T0pS3cr3tT00!";
    private const string KnownHash = "$2a$11$xH8dkGrty1cBNtZjhPeWJewu/YPbSU.rXJWmS6SFilOBXzmZoMk9m";

    /// <summary>A valid hash of the empty password; the malformed cases are built from it.</summary>
    private const string EmptyPasswordHash = "$2y$04$vRiyU2O7iCyPj1Ixi7UZFezNboBsMvOaYudWzKQ036mbUvEhfZ1jC";

    /// <summary>
    /// Made with Apache's htpasswd (Debian apache2-utils 2.4.71, <c>htpasswd -nbB -C cost user pw</c>), an
    /// independent implementation; each also checked with libxcrypt through Python's crypt module.
    /// Columns: password, its UTF-8 length, hash.
    /// </summary>
    public static TheoryData<string, int, string> HtpasswdVectors => new()
    {
        // empty, cost 4
        { "", 0, "$2y$04$vRiyU2O7iCyPj1Ixi7UZFezNboBsMvOaYudWzKQ036mbUvEhfZ1jC" },
        // one char, cost 4
        { "x", 1, "$2y$04$y.HXbTo0eQrenfpUQg3YjefVLJXMAwCsB..WqSQnY4vH5FF0UeGtq" },
        // unicode, cost 10
        { "pässwörd", 10, "$2y$10$E6L6ur1QJ8OsWRsJNpsXB.OawrSvrYjhVzgUvVeS11gt9XjVVDuMq" },
        // 71 bytes, cost 4
        { "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!#%&()*+,", 71, "$2y$04$LeXX6t8f7lcuS3pS8kG73uYt7Bhb15S.KmjetUrPQyEYN5snWBq1q" },
        // 72 bytes, cost 4
        { "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!#%&()*+,-", 72, "$2y$04$FQ1oYVlhSycVrEkvG.8bL.XZMQXPKSYr.HtBLxOcvTROz/OFyJpZG" },
        // 80 bytes, cost 4
        { "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!#%&()*+,-./:;<=>?", 80, "$2y$04$tjV929ps2ujgiUQZSh08aeoXmVjpMZ53twKZAxwxjVjHdmpuk1ocG" },
        // 72 bytes ending in 2-byte char, cost 4
        { "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!#%&()*+é", 72, "$2y$04$A8/F2d6h/1QF3l0GUQN70.lNCpuXktoUPu34fqwxCTojR2pYYsTMy" },
        // 73 bytes, 2-byte char split at 72, cost 4
        { "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!#%&()*+,é", 73, "$2y$04$DvsgYnH6nb2tevo0vJsJIeX0G/yAwRzgbLCjlMb4F01o.wcpSqeAK" },
        // phrase cost 10, cost 10
        { "correct horse battery staple", 28, "$2y$10$0neV/qOFqwxaV2UJEbsobugYGXrsSB.W5Fe3lEczWXzRzuA9L6kH2" },
        // route password cost 10, cost 10
        { "s3cr3t!Route#Pass", 17, "$2y$10$zxqhjDmjV/LTv.AoomKcf.qdWrjAmlxXUHdQq5IFcDUhiVn1wTnyK" },
        // emoji and CJK, cost 4
        { "密码🔑key", 13, "$2y$04$AqaXPtQ7JNDAFBPEkZWvl.u59ONQ0rXH7zFoU1b38dAcz1aSaZ5sS" },
    };

    /// <summary>Widely published vectors from the crypt_blowfish test set.</summary>
    public static TheoryData<string, string> PublishedVectors => new()
    {
        { "U*U", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW" },
        { "U*U*", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK" },
        { "", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.7uG0VCzI2bS7j6ymqJi9CdcdxiRTWNy" },
    };

    public static TheoryData<string> MalformedHashes
    {
        get
        {
            string tail = EmptyPasswordHash[7..];
            string salt = EmptyPasswordHash[7..29];
            string digest = EmptyPasswordHash[29..];
            return new TheoryData<string>
            {
                "",
                "$",
                "$2a$",
                "$2a$04$",
                "not a hash at all",
                "$2a$99$" + tail,
                "$2a$03$" + tail,
                "$2a$32$" + tail,
                "$2a$00$" + tail,
                "$2a$4$" + tail,
                "$2a$4$" + tail + ".",
                "$2a$0a$" + tail,
                "$2a$-4$" + tail,
                "$2a$ 4$" + tail,
                "$2x$04$" + tail,
                "$2c$04$" + tail,
                "$2A$04$" + tail,
                "$3a$04$" + tail,
                "$2$04$" + tail + ".",
                "$2a$04" + tail + ".",
                "x2a$04$" + tail,
                "$2a$04x" + tail,
                EmptyPasswordHash[..^1],
                EmptyPasswordHash + ".",
                EmptyPasswordHash + " ",
                " " + EmptyPasswordHash[..^1],
                "$2y$04$" + "+" + salt[1..] + digest,
                "$2y$04$" + salt + digest[..^1] + "=",
                "$2y$04$" + salt + "_" + digest[1..],
                "$2y$04$" + salt + digest[..^1] + "\u0143",
                "$2y$04$" + salt[..^1] + "\u012E" + digest,
                "$2y$04$" + salt + digest[..^1] + "\0",
                "$2y$04$" + new string('\0', 53),
            };
        }
    }

    [Fact]
    public void KnownVectorVerifies()
    {
        Assert.True(PasswordHash.IsBcrypt(KnownHash));
        Assert.True(PasswordHash.Verify(KnownPassword, KnownHash));
    }

    [Theory]
    [InlineData("T0pS3cr3tT00")]
    [InlineData("T0pS3cr3tT00!!")]
    [InlineData("t0pS3cr3tT00!")]
    [InlineData("")]
    public void KnownVectorRejectsWrongPassword(string wrong) => Assert.False(PasswordHash.Verify(wrong, KnownHash));

    [Theory]
    [MemberData(nameof(HtpasswdVectors))]
    public void HtpasswdHashesVerify(string password, int utf8Length, string hash)
    {
        Assert.Equal(utf8Length, Encoding.UTF8.GetByteCount(password));
        Assert.StartsWith("$2y$", hash, StringComparison.Ordinal);
        Assert.True(PasswordHash.IsBcrypt(hash));
        Assert.True(PasswordHash.Verify(password, hash));
    }

    [Theory]
    [MemberData(nameof(HtpasswdVectors))]
    public void HtpasswdHashesRejectAlteredPasswords(string password, int utf8Length, string hash)
    {
        // A change inside the first 72 bytes must always be noticed.
        string changedFirst = password.Length == 0 ? "a" : (password[0] == 'Z' ? "Y" : "Z") + password[1..];
        Assert.False(PasswordHash.Verify(changedFirst, hash));
        Assert.False(PasswordHash.Verify(password.ToUpperInvariant() + "\u00C9", hash));

        if (utf8Length < 72)
        {
            // The NUL terminator is part of the key, so an added character is noticed below 72 bytes.
            Assert.False(PasswordHash.Verify(password + "!", hash));
            Assert.False(PasswordHash.Verify(password + " ", hash));
        }

        if (password.Length > 0 && utf8Length <= 72)
        {
            Assert.False(PasswordHash.Verify(password[..^1], hash));
        }
    }

    [Theory]
    [MemberData(nameof(HtpasswdVectors))]
    public void MinorVersionsAreTreatedAlike(string password, int utf8Length, string hash)
    {
        Assert.True(utf8Length >= 0);
        foreach (string minor in new[] { "$2a$", "$2b$", "$2y$" })
        {
            string variant = minor + hash[4..];
            Assert.True(PasswordHash.Verify(password, variant), variant);
        }
    }

    [Theory]
    [MemberData(nameof(PublishedVectors))]
    public void PublishedVectorsVerify(string password, string hash)
    {
        Assert.True(PasswordHash.Verify(password, hash));
        Assert.False(PasswordHash.Verify(password + "U", hash));
    }

    [Fact]
    public void BytesBeyond72AreIgnored()
    {
        const string Base = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!#%&()*+,-./:;<=>?";
        const string Hash80 = "$2y$04$tjV929ps2ujgiUQZSh08aeoXmVjpMZ53twKZAxwxjVjHdmpuk1ocG";
        const string Hash72 = "$2y$04$FQ1oYVlhSycVrEkvG.8bL.XZMQXPKSYr.HtBLxOcvTROz/OFyJpZG";
        Assert.True(PasswordHash.Verify(Base[..72], Hash80));
        Assert.True(PasswordHash.Verify(Base[..72] + "anything else", Hash80));
        Assert.False(PasswordHash.Verify(Base[..71], Hash80));
        Assert.True(PasswordHash.Verify(Base, Hash72));
        Assert.False(PasswordHash.Verify(Base[..71], Hash72));

        // A two-byte character straddling byte 72 counts by its first byte only: e-acute (C3 A9) and
        // e-grave (C3 A8) are the same key there.
        const string Split = "$2y$04$DvsgYnH6nb2tevo0vJsJIeX0G/yAwRzgbLCjlMb4F01o.wcpSqeAK";
        Assert.True(PasswordHash.Verify(Base[..71] + "\u00E8", Split));
        Assert.False(PasswordHash.Verify(Base[..71], Split));
    }

    [Theory]
    [MemberData(nameof(MalformedHashes))]
    public void MalformedHashesAreRejectedWithoutThrowing(string hash)
    {
        Assert.False(PasswordHash.IsBcrypt(hash));
        Assert.False(PasswordHash.Verify("", hash));
        Assert.False(PasswordHash.Verify(KnownPassword, hash));
    }

    [Fact]
    public void HighCostHashesAreWellFormed()
    {
        // Shape only: verifying at cost 31 would take days.
        Assert.True(PasswordHash.IsBcrypt("$2b$31$" + EmptyPasswordHash[7..]));
        Assert.True(PasswordHash.IsBcrypt("$2a$04$" + EmptyPasswordHash[7..]));
    }

    [Fact]
    public void SaltPaddingBitsAreIgnoredButDigestPaddingBitsAreNot()
    {
        // The last salt digit 'e' (32) and 'f' (33) differ only in the 4 bits past the 128-bit salt;
        // nats-server (Go) decodes both to the same salt. The digest is compared as text, so its last
        // digit must be the canonical one: 'C' (4) and 'D' (5) differ only in unused bits.
        Assert.Equal('e', EmptyPasswordHash[28]);
        Assert.True(PasswordHash.Verify("", EmptyPasswordHash[..28] + "f" + EmptyPasswordHash[29..]));
        Assert.Equal('C', EmptyPasswordHash[^1]);
        Assert.False(PasswordHash.Verify("", EmptyPasswordHash[..^1] + "D"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("x")]
    [InlineData("pässwörd")]
    [InlineData("密码🔑key")]
    [InlineData("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!#%&()*+,")]
    [InlineData("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!#%&()*+,-./:;<=>?")]
    public void HashRoundTrips(string password)
    {
        string hash = LibraryHash(password, 4);
        Assert.Matches(HashShape(), hash);
        Assert.StartsWith("$2a$04$", hash, StringComparison.Ordinal);
        Assert.True(PasswordHash.IsBcrypt(hash));
        Assert.True(PasswordHash.Verify(password, hash));
        Assert.False(PasswordHash.Verify("Z" + password, hash));
        if (Encoding.UTF8.GetByteCount(password) < 72)
        {
            Assert.False(PasswordHash.Verify(password + "\u00E9", hash));
        }
    }

    [Fact]
    public void HashOfLongPasswordRoundTrips()
    {
        // Past 255 bytes, where OpenBSD's old $2a$ code wrapped the key length; here only 72 bytes count.
        string password = string.Concat(Enumerable.Repeat("long-password-", 22));
        Assert.True(Encoding.UTF8.GetByteCount(password) > 300);
        string hash = LibraryHash(password, 4);
        Assert.True(PasswordHash.Verify(password, hash));
        Assert.True(PasswordHash.Verify(password[..72], hash));
        Assert.False(PasswordHash.Verify(password[..71], hash));
    }

    /// <summary>A $2a$ hash made by BCrypt.Net-Next itself, as an operator's tool might.</summary>
    private static string LibraryHash(string password, int cost) =>
        BCrypt.Net.BCrypt.HashPassword(password, BCrypt.Net.BCrypt.GenerateSalt(cost, 'a'));

    [GeneratedRegex(@"^\$2a\$[0-9]{2}\$[./A-Za-z0-9]{53}$")]
    private static partial Regex HashShape();
}

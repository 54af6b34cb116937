using System.Security.Cryptography;
using Nats.OrleansRoutes.Client;
using Nats.OrleansRoutes.Grains;
using Nats.OrleansRoutes.Grains.Security;

namespace Nats.OrleansRoutes.Tests.Unit.Security;

public sealed class CredentialTests
{
    [Fact]
    public void Pbkdf2_hashes_verify_and_are_salted()
    {
        var a = PasswordHash.Create("route-pass", 10_000);
        var b = PasswordHash.Create("route-pass", 10_000);
        Assert.NotEqual(a, b);
        Assert.StartsWith("pbkdf2-sha256$10000$", a, StringComparison.Ordinal);
        Assert.True(PasswordHash.Verify("route-pass", a));
        Assert.False(PasswordHash.Verify("route-pasS", a));
        Assert.DoesNotContain("route-pass", a, StringComparison.Ordinal);
    }

    [Fact]
    public void Imported_bcrypt_hashes_are_checked_as_bcrypt()
    {
        const string hash = "$2a$11$xH8dkGrty1cBNtZjhPeWJewu/YPbSU.rXJWmS6SFilOBXzmZoMk9m";
        Assert.Equal("bcrypt", PasswordHash.Kind(hash));
        Assert.Equal(11, PasswordHash.BcryptCost(hash));
        Assert.True(PasswordHash.Verify("T0pS3cr3tT00!", hash));
        Assert.False(PasswordHash.Verify("T0pS3cr3tT00", hash));
    }

    [Theory]
    [InlineData("")]
    [InlineData("pbkdf2-sha256$x$y$z")]
    [InlineData("pbkdf2-sha256$1000$!!!$abc")]
    [InlineData("plain-text-password")]
    public void Broken_stored_hashes_never_verify(string stored) => Assert.False(PasswordHash.Verify("anything", stored));

    [Fact]
    public void Sealed_secrets_open_only_with_the_same_key()
    {
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var box = new SecretBox(key);
        var sealedSecret = box.Seal("s3cret pass");
        Assert.DoesNotContain("s3cret", sealedSecret, StringComparison.Ordinal);
        Assert.Equal("s3cret pass", new SecretBox(key).Open(sealedSecret));
        Assert.NotEqual(sealedSecret, box.Seal("s3cret pass")); // fresh nonce every time
        var other = new SecretBox(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        Assert.ThrowsAny<CryptographicException>(() => other.Open(sealedSecret));
    }

    [Fact]
    public void Generated_passwords_are_url_safe_and_random()
    {
        var a = PasswordGenerator.New();
        Assert.Equal(32, a.Length);
        Assert.Equal(a, Uri.EscapeDataString(a));
        Assert.NotEqual(a, PasswordGenerator.New());
    }

    [Theory]
    [InlineData("acme/prod", true)]
    [InlineData("acme-1/prod.eu_2", true)]
    [InlineData("acme", false)]
    [InlineData("acme/", false)]
    [InlineData("/prod", false)]
    [InlineData("a/b/c", false)]
    [InlineData("acme/pr od", false)]
    [InlineData("-acme/prod", false)]
    public void Cluster_names_follow_the_rules(string text, bool valid) =>
        Assert.Equal(valid, ClusterRef.TryParse(text, out _, out _));

    [Fact]
    public void Member_config_passwords_are_escaped_where_they_go()
    {
        const string placeholder = NatsRoutesClient.PasswordPlaceholder;
        var text = $"routes: [ \"nats-route://u:{placeholder}@h:1\" ]\nauthorization {{ password: \"{placeholder}\" }}\n";
        var filled = MemberConfigPassword.Fill(text, placeholder, "p@ss \"w\"");
        Assert.Contains("nats-route://u:p%40ss%20%22w%22@h:1", filled, StringComparison.Ordinal);
        Assert.Contains("password: \"p@ss \\\"w\\\"\"", filled, StringComparison.Ordinal);
        Assert.DoesNotContain(placeholder, filled, StringComparison.Ordinal);
    }
}

using Nats.OrleansRoutes.Grains.Security;

namespace Nats.OrleansRoutes.Tests.Unit.Security;

public sealed class AcceptedPasswordsTests
{
    private int _slowChecks;

    private AcceptedPasswords Counting() => new((password, stored) =>
    {
        _slowChecks++;
        return PasswordHash.Verify(password, stored);
    });

    private static readonly string Stored = PasswordHash.Create("route-secret", 1_000);

    [Fact]
    public void An_accepted_password_is_checked_slowly_once()
    {
        var accepted = Counting();
        Assert.True(accepted.Verify("route-secret", Stored));
        Assert.True(accepted.Verify("route-secret", Stored));
        Assert.True(accepted.Verify("route-secret", Stored));
        Assert.Equal(1, _slowChecks);
    }

    [Fact]
    public void A_wrong_password_is_never_remembered_and_never_passes()
    {
        var accepted = Counting();
        Assert.True(accepted.Verify("route-secret", Stored));
        Assert.False(accepted.Verify("route-secreT", Stored));
        Assert.False(accepted.Verify("route-secreT", Stored));
        Assert.False(accepted.Verify("", Stored));
        Assert.Equal(4, _slowChecks);
    }

    [Fact]
    public void A_new_stored_hash_of_the_same_password_is_checked_again()
    {
        var accepted = Counting();
        Assert.True(accepted.Verify("route-secret", Stored));
        var rotated = PasswordHash.Create("route-secret", 1_000);
        Assert.True(accepted.Verify("route-secret", rotated));
        Assert.Equal(2, _slowChecks);
        Assert.False(accepted.Verify("route-secret", PasswordHash.Create("other-secret", 1_000)));
    }

    [Fact]
    public void A_refusal_by_the_slow_check_is_final_even_for_a_remembered_password_of_another_hash()
    {
        var accepted = Counting();
        Assert.True(accepted.Verify("route-secret", Stored));
        // After a rotation to another password, the old one is refused by the new hash.
        Assert.False(accepted.Verify("route-secret", PasswordHash.Create("rotated-secret", 1_000)));
    }

    [Fact]
    public void Remembered_answers_without_the_slow_check_and_only_for_accepted_pairs()
    {
        var accepted = Counting();
        Assert.False(accepted.Remembered("route-secret", Stored));
        Assert.True(accepted.Verify("route-secret", Stored));
        Assert.True(accepted.Remembered("route-secret", Stored));
        Assert.False(accepted.Remembered("route-secreT", Stored));
        Assert.False(accepted.Remembered("route-secret", PasswordHash.Create("route-secret", 1_000)));
        Assert.Equal(1, _slowChecks);
    }

    [Fact]
    public void A_password_remembered_for_the_previous_hash_costs_no_slow_check_against_the_current_one()
    {
        var accepted = Counting();
        Assert.True(accepted.Verify("route-secret", Stored));
        var current = PasswordHash.Create("rotated-secret", 1_000);
        Assert.True(accepted.Verify("route-secret", [current, Stored]));
        Assert.Equal(1, _slowChecks);
        Assert.True(accepted.Verify("rotated-secret", [current, Stored]));
        Assert.Equal(2, _slowChecks);
        Assert.False(accepted.Verify("neither", [current, Stored]));
        Assert.Equal(4, _slowChecks);
    }
}

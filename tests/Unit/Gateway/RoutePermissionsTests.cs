using Nats.OrleansRoutes.Config.Cluster;
using Nats.OrleansRoutes.Gateway.Hub;

namespace Nats.OrleansRoutes.Tests.Unit.Gateway;

public sealed class RoutePermissionsTests
{
    [Theory]
    [InlineData("foo.bar", "foo.bar", true)]
    [InlineData("foo.*", "foo.bar", true)]
    [InlineData("foo.*", "foo.bar.baz", false)]
    [InlineData("foo.>", "foo.bar.baz", true)]
    [InlineData("foo.>", "foo", false)]
    [InlineData(">", "anything.at.all", true)]
    [InlineData("foo.bar", "foo.baz", false)]
    [InlineData("foo.bar", "foo", false)]
    [InlineData("foo", "foo.bar", false)]
    // A subscription's wildcards are literal tokens: only a wildcard in the permission covers them.
    [InlineData("foo.>", "foo.*", true)]
    [InlineData("foo.*", "foo.>", true)]
    [InlineData("foo.bar", "foo.*", false)]
    [InlineData("foo.*.baz", "foo.>", false)]
    public void Patterns_cover_subjects_as_nats_server_permissions_do(string pattern, string subject, bool covered) =>
        Assert.Equal(covered, RoutePermissions.Matches(pattern, subject));

    [Fact]
    public void Deny_wins_over_allow_and_an_empty_allow_list_allows_all()
    {
        var permissions = RoutePermissions.Of(new ClusterPermissions
        {
            Import = new SubjectPermission { Deny = new(["secret.>"]) },
            Export = new SubjectPermission { Allow = new(["orders.>", "wild.>"]), Deny = new(["wild.hidden"]) },
        });
        Assert.True(permissions.CanImport("anything"));
        Assert.False(permissions.CanImport("secret.x"));
        Assert.True(permissions.CanExport("orders.1"));
        Assert.False(permissions.CanExport("other.1"));
        Assert.False(permissions.CanExport("wild.hidden"));
        Assert.True(permissions.CanExport("wild.>"));
        Assert.True(permissions.FiltersMessages);
        Assert.True(permissions.DeniesMessage("wild.hidden"));
        Assert.False(permissions.DeniesMessage("wild.open"));
        Assert.False(RoutePermissions.None.FiltersMessages);
        Assert.True(RoutePermissions.None.CanExport("x") && RoutePermissions.None.CanImport("x"));
    }
}

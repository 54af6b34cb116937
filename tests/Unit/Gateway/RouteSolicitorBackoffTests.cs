using Nats.OrleansRoutes.Gateway.Serving;

namespace Nats.OrleansRoutes.Tests.Unit.Gateway;

/// <summary>connect_backoff as nats-server 2.12+ applies it: 1 s after the first failure, doubling, at most 30 s.</summary>
public sealed class RouteSolicitorBackoffTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 4)]
    [InlineData(5, 16)]
    [InlineData(6, 30)]
    [InlineData(7, 30)]
    [InlineData(10_000, 30)]
    public void The_delay_doubles_up_to_thirty_seconds(int failures, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), RouteSolicitor.Backoff(failures));
}

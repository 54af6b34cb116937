using System.Net;
using Nats.OrleansRoutes.Gateway.Serving;

namespace Nats.OrleansRoutes.Tests.Unit.Gateway;

public sealed class AuthFailureLimiterTests
{
    [Fact]
    public void Each_kind_of_log_line_has_its_own_allowance_per_address()
    {
        var limiter = new AuthFailureLimiter();
        var member = IPAddress.Loopback;
        // A member redialling and closing early uses up its allowance for that kind...
        var logged = Enumerable.Range(0, 8).Count(_ => limiter.ShouldLog(member, RefusalKind.EarlyClose, out _));
        Assert.Equal(5, logged);
        // ...but an untrusted certificate from the same address is still logged.
        Assert.True(limiter.ShouldLog(member, RefusalKind.Tls, out var suppressed));
        Assert.Equal(0, suppressed);
        // And another address has its own allowance for the same kind.
        Assert.True(limiter.ShouldLog(IPAddress.Parse("127.0.0.2"), RefusalKind.EarlyClose, out _));
    }
}

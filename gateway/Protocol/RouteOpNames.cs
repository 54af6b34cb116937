namespace Nats.OrleansRoutes.Protocol;

/// <summary>Wire names of the ops, for logs and errors.</summary>
public static class RouteOpNames
{
    public static string Of(RouteOpKind kind) => kind switch
    {
        RouteOpKind.Info => "INFO",
        RouteOpKind.Connect => "CONNECT",
        RouteOpKind.Ping => "PING",
        RouteOpKind.Pong => "PONG",
        RouteOpKind.Ok => "+OK",
        RouteOpKind.Err => "-ERR",
        RouteOpKind.Sub => "RS+",
        RouteOpKind.Unsub => "RS-",
        RouteOpKind.LeafSub => "LS+",
        RouteOpKind.LeafUnsub => "LS-",
        RouteOpKind.Msg => "RMSG",
        RouteOpKind.HMsg => "HMSG",
        RouteOpKind.LMsg => "LMSG",
        RouteOpKind.AccountSub => "A+",
        RouteOpKind.AccountUnsub => "A-",
        _ => "?",
    };
}

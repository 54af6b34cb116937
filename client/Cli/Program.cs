using System.CommandLine;
using Nats.OrleansRoutes.Cli.Commands;

var root = new RootCommand("natsroutes — the route side of many NATS clusters, as a service.")
{
    ServiceOptions.Redis,
    ServiceOptions.Prefix,
    ServiceOptions.RedisPasswordFile,
    ServiceOptions.MtlsCert,
    ServiceOptions.MtlsKey,
    ServiceOptions.MtlsCa,
    DevCommand.Create(),
    SiloCommand.Create(),
    GatewayCommand.Create(),
    ClusterCommands.Create(),
    AccountCommands.Create(),
    TenantCommands.Create(),
    StatusCommand.Create(),
    ConfCommands.Create(),
    TestCommand.Create(),
};
return await root.Parse(args).InvokeAsync();

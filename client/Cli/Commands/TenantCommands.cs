using System.CommandLine;

namespace Nats.OrleansRoutes.Cli.Commands;

/// <summary><c>natsroutes tenant quota TENANT N</c>.</summary>
internal static class TenantCommands
{
    public static Command Create()
    {
        var tenant = new Argument<string>("TENANT");
        var quota = new Argument<int>("N") { Description = "How many clusters the tenant may have." };
        var command = new Command("quota", "Set how many clusters a tenant may have.") { tenant, quota };
        command.SetAction((parse, _) => ServiceConnection.RunAsync(parse, async client =>
        {
            await client.SetTenantQuotaAsync(parse.GetValue(tenant)!, parse.GetValue(quota));
            Console.WriteLine($"tenant {parse.GetValue(tenant)}: quota {parse.GetValue(quota)}");
            return 0;
        }));
        return new Command("tenant", "Tenants and their quotas.") { command };
    }
}

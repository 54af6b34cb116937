namespace Nats.OrleansRoutes.Config.Validation;

/// <summary>The nats-server versions the product supports as cluster members.</summary>
public enum NatsServerVersion
{
    V2_9,
    V2_10,
    V2_15,
}

public static class NatsServerVersions
{
    public static bool TryParse(string text, out NatsServerVersion version)
    {
        switch (text.Trim().TrimStart('v'))
        {
            case "2.9" or "2.9.10":
                version = NatsServerVersion.V2_9;
                return true;
            case "2.10" or "2.10.27":
                version = NatsServerVersion.V2_10;
                return true;
            case "2.15" or "2.15.1":
                version = NatsServerVersion.V2_15;
                return true;
            default:
                version = NatsServerVersion.V2_15;
                return false;
        }
    }

    public static string Display(this NatsServerVersion version) => version switch
    {
        NatsServerVersion.V2_9 => "2.9.10",
        NatsServerVersion.V2_10 => "2.10.27",
        _ => "2.15.1",
    };
}

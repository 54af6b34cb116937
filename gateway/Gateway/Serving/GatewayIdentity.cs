using System.Security.Cryptography;
using System.Text;

namespace Nats.OrleansRoutes.Gateway.Serving;

/// <summary>
/// How a gateway presents itself to members: a stable 56-character server id shaped like a
/// nats-server id (N + base32), derived from the gateway id so it survives restarts, and a server
/// name no member will use.
/// </summary>
public sealed record GatewayIdentity(string GatewayId, string ServerId, string ServerName)
{
    /// <summary>The version announced in INFO: a v2-routes server without message tracing (proto 2).</summary>
    public const string AnnouncedVersion = "2.10.27";

    public static GatewayIdentity For(string gatewayId) =>
        new(gatewayId, ServerIdFor("natsroutes-gateway:" + gatewayId), $"natsroutes-{gatewayId}");

    /// <summary>A server id shaped like nats-server's (N + 55 base32 characters), the same for the same seed.</summary>
    internal static string ServerIdFor(string seed)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(seed));
        var id = new StringBuilder("N");
        var bits = 0;
        var value = 0;
        foreach (var b in hash.Concat(hash))
        {
            value = (value << 8) | b;
            bits += 8;
            while (bits >= 5 && id.Length < 56)
            {
                id.Append(alphabet[(value >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        return id.ToString();
    }
}

using System.Text;
using NATS.Client.Core;

namespace Nats.OrleansRoutes.TestKit.Nats;

/// <summary>A message delivered to a subscription. <see cref="Headers"/> is the header block as NATS writes it (<c>NATS/1.0</c> …), or null.</summary>
public sealed record NatsMessage(string Subject, string? ReplyTo, byte[] Payload, string? Headers)
{
    public string Text => Encoding.UTF8.GetString(Payload);

    internal static NatsMessage From(NatsMsg<byte[]> message) =>
        new(message.Subject, message.ReplyTo, message.Data ?? [], HeaderBlock(message.Headers));

    private static string? HeaderBlock(NatsHeaders? headers)
    {
        if (headers is null)
            return null;
        var block = new StringBuilder("NATS/1.0\r\n");
        foreach (var (key, values) in headers)
        {
            foreach (var value in values)
                block.Append(key).Append(": ").Append(value).Append("\r\n");
        }
        return block.Append("\r\n").ToString();
    }
}

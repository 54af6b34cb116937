namespace Nats.OrleansRoutes.TestKit.Nats;

/// <summary>A message delivered to a subscription (MSG or HMSG). <see cref="Headers"/> is the raw header block.</summary>
public sealed record NatsMessage(string Subject, string? ReplyTo, byte[] Payload, string? Headers)
{
    public string Text => System.Text.Encoding.UTF8.GetString(Payload);
}

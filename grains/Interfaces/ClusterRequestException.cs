namespace Nats.OrleansRoutes.Grains;

/// <summary>
/// An operator's or gateway's request cannot be done as given; the message says what and how to
/// fix it. It reaches callers with its type and message, so they can tell a refusal from an outage.
/// </summary>
[GenerateSerializer]
[Alias("cluster-request-exception")]
public sealed class ClusterRequestException : Exception
{
    public ClusterRequestException(string message) : base(message)
    {
    }

    public ClusterRequestException(string message, Exception inner) : base(message, inner)
    {
    }

    public ClusterRequestException()
    {
    }
}

using Nats.OrleansRoutes.Gateway.Routes;

namespace Nats.OrleansRoutes.Gateway.Hub;

/// <summary>
/// The connections written to while one reader processed one batch of ops: each is told to send
/// once, at the end of the batch, so many relayed ops leave in one write. Reused by its reader.
/// </summary>
internal sealed class Batch
{
    private readonly List<RouteConnection> _touched = [];

    public void Touch(RouteConnection connection)
    {
        if (!connection.TouchedInBatch)
        {
            connection.TouchedInBatch = true;
            _touched.Add(connection);
        }
    }

    /// <summary>Starts the sends (and any slow-consumer closes) for everything touched.</summary>
    public void Flush()
    {
        foreach (var connection in _touched)
        {
            connection.TouchedInBatch = false;
            connection.ScheduleSend();
        }
        _touched.Clear();
    }
}

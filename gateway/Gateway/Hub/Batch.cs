using Nats.OrleansRoutes.Gateway.Routes;

namespace Nats.OrleansRoutes.Gateway.Hub;

/// <summary>
/// The connections written to while one reader processed one batch of ops: each is told to send
/// once, at the end of the batch, so many relayed ops leave in one write. Reused by its reader.
/// </summary>
internal sealed class Batch(long stallAbove)
{
    private readonly List<RouteConnection> _touched = [];
    private RouteConnection? _stalledOn;

    /// <summary>A connection written to in the last batch whose backlog is over the stall threshold, if any.</summary>
    public RouteConnection? TakeStalled()
    {
        var stalled = _stalledOn;
        _stalledOn = null;
        return stalled;
    }

    public void Touch(RouteConnection connection)
    {
        if (!connection.TouchedInBatch)
        {
            connection.TouchedInBatch = true;
            _touched.Add(connection);
        }
    }

    /// <summary>Starts the sends for everything touched, and notes the most backed-up connection over the stall threshold.</summary>
    public void Flush()
    {
        long worst = stallAbove;
        foreach (var connection in _touched)
        {
            connection.TouchedInBatch = false;
            connection.ScheduleSend();
            if (connection.Out.Pending > worst)
            {
                worst = connection.Out.Pending;
                _stalledOn = connection;
            }
        }
        _touched.Clear();
    }
}

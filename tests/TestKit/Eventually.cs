namespace Nats.OrleansRoutes.TestKit;

/// <summary>Polls a condition of real processes until it holds; fails naming what was awaited.</summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await condition())
                    return;
                last = null;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TimeoutException or InvalidOperationException)
            {
                last = e;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"waited {timeout} for: {what}{(last is null ? "" : $" (last error: {last.Message})")}");
    }

    /// <summary>Polls a counter every 5 ms until it reaches <paramref name="target"/>; false on timeout (for load, where 100 ms is too coarse).</summary>
    public static async Task<bool> CountReachesAsync(Func<long> count, long target, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (count() < target)
        {
            if (DateTime.UtcNow > deadline)
                return false;
            await Task.Delay(5);
        }
        return true;
    }
}

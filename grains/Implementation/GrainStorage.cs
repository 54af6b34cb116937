namespace Nats.OrleansRoutes.Grains;

/// <summary>
/// The grain storage provider every grain of the product uses (Redis in a deployment, memory in
/// dev mode). Writes are compare-and-set on the ETag read: when another activation of the same grain
/// wrote in between (a duplicate during a membership change), the write fails with
/// <see cref="Orleans.Storage.InconsistentStateException"/>, Orleans deactivates the stale activation, and
/// the next call reads the newer state; the stale write never lands.
/// </summary>
public static class GrainStorage
{
    public const string Name = "natsroutes";
}

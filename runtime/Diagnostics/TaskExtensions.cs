namespace Nats.OrleansRoutes.Runtime.Diagnostics;

internal static class TaskExtensions
{
    /// <summary>Lets a task run on without awaiting it; the task must handle its own errors.</summary>
    public static void Forget(this Task task) => _ = task;
}

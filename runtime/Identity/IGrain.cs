namespace Nats.OrleansRoutes.Runtime.Identity;

/// <summary>
/// Marker for grain interfaces. Every method returns <see cref="Task"/> or <see cref="Task{T}"/>;
/// a last parameter of type <see cref="CancellationToken"/> cancels the caller's wait (it is not sent).
/// Overloads are not allowed: methods are called by name.
/// </summary>
public interface IGrain;

/// <summary>A grain addressed by a string key.</summary>
public interface IGrainWithStringKey : IGrain;

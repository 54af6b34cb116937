using Nats.OrleansRoutes.Runtime.Identity;

namespace Nats.OrleansRoutes.Runtime.Storage;

/// <summary>
/// A grain's stored state: its bytes and the version they were written with. Version 0 means
/// never written; a cleared state keeps its version with no data (a tombstone), so versions are
/// never reused and a stale writer can never match a re-created state.
/// </summary>
public readonly record struct StoredState(long Version, byte[]? Data);

/// <summary>
/// Versioned grain state. Every write and clear is a compare-and-set on the version the caller
/// read; a mismatch throws <see cref="InconsistentStateException"/> and changes nothing.
/// </summary>
public interface IGrainStorage
{
    Task<StoredState> ReadAsync(GrainId grain, CancellationToken cancellationToken);

    /// <summary>Writes <paramref name="data"/> if the stored version is <paramref name="expectedVersion"/>; returns the new version.</summary>
    Task<long> WriteAsync(GrainId grain, long expectedVersion, byte[] data, CancellationToken cancellationToken);

    /// <summary>Removes the data if the stored version is <paramref name="expectedVersion"/>; returns the tombstone's version.</summary>
    Task<long> ClearAsync(GrainId grain, long expectedVersion, CancellationToken cancellationToken);
}

/// <summary>A write or clear found a version other than the one it expected: another activation wrote first.</summary>
public sealed class InconsistentStateException(GrainId grain, long expected, long actual)
    : Exception($"State of {grain} is at version {actual}, not {expected}: another activation wrote it; this call is retried on a fresh activation.")
{
    public GrainId Grain { get; } = grain;
    public long ExpectedVersion { get; } = expected;
    public long ActualVersion { get; } = actual;
}

/// <summary>The storage (or membership) backend cannot be reached; calls fail fast with this.</summary>
public sealed class StorageUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

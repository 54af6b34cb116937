namespace Nats.OrleansRoutes.Grains.Cluster;

/// <summary>An operator's request cannot be done as given; the message says what and how to fix it.</summary>
public sealed class ClusterRequestException(string message) : Exception(message);

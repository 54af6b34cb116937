namespace Nats.OrleansRoutes.Gateway.Hub;

/// <summary>One interest a member announced on a connection: RS+ (no origin) or LS+ from a leaf cluster.</summary>
internal readonly record struct InterestKey(string Account, string Subject, string Queue, string Origin);

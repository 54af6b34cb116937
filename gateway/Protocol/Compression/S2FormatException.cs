namespace Nats.OrleansRoutes.Protocol.Compression;

/// <summary>Compressed input that is not a valid S2 (or Snappy) stream; the message says what and where.</summary>
public sealed class S2FormatException(string message) : Exception(message);

namespace ActorRL.Host.Bench.Persistence;

/// <summary>No throw-away PostgreSQL server could be started: its binaries are missing, or initdb or the server failed.</summary>
public sealed class LocalPostgresUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

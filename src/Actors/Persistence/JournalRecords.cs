namespace ActorRL.Actors.Persistence;

/// <summary>One journaled event as stored: serialized payload plus the manifest that names its type.</summary>
/// <param name="PersistenceId">The persistent actor's stable id.</param>
/// <param name="SequenceNr">1, 2, 3, … per persistence id; unique with it (optimistic concurrency).</param>
/// <param name="Manifest">The payload's registered type name (never a CLR type name from the wire).</param>
/// <param name="Payload">Protobuf bytes.</param>
/// <param name="Timestamp">When it was written.</param>
public sealed record PersistentRepr(string PersistenceId, long SequenceNr, string Manifest, byte[] Payload, DateTimeOffset Timestamp);

/// <summary>One stored snapshot of a persistent actor's state after event <paramref name="SequenceNr"/>.</summary>
/// <param name="PersistenceId">The persistent actor's stable id.</param>
/// <param name="SequenceNr">The last event the snapshot includes.</param>
/// <param name="Manifest">The payload's registered type name.</param>
/// <param name="Payload">Protobuf bytes.</param>
/// <param name="Timestamp">When it was written.</param>
public sealed record SnapshotRecord(string PersistenceId, long SequenceNr, string Manifest, byte[] Payload, DateTimeOffset Timestamp);

/// <summary>A write collided with an event already stored under the same (persistence id, sequence number).</summary>
public sealed class JournalConcurrencyException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The store could not be reached or used after its retries (a locked file, a server down); nothing was written.</summary>
public sealed class JournalUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

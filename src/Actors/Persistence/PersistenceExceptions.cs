namespace ActorRL.Actors.Persistence;

/// <summary>A persistent actor could not recover: the store failed, a manifest is unknown, a payload does not
/// parse, or a recovery handler threw. The actor fails with it (its supervisor decides what next).</summary>
public sealed class RecoveryFailedException(string persistenceId, long sequenceNr, Exception cause)
    : Exception($"recovery of persistent actor '{persistenceId}' failed at sequence number {sequenceNr}: {cause.Message}", cause)
{
    /// <summary>The actor's persistence id.</summary>
    public string PersistenceId { get; } = persistenceId;

    /// <summary>The snapshot's or event's sequence number being recovered (or the next one to read).</summary>
    public long SequenceNr { get; } = sequenceNr;
}

/// <summary>Events could not be written (the store was unavailable, or another writer holds the sequence numbers).
/// Nothing of the batch was written and none of its handlers ran; the actor fails with it.</summary>
public sealed class PersistFailedException(string persistenceId, long fromSequenceNr, long toSequenceNr, Exception cause)
    : Exception($"persistent actor '{persistenceId}' could not write events {fromSequenceNr}..{toSequenceNr}: {cause.Message}", cause)
{
    /// <summary>The actor's persistence id.</summary>
    public string PersistenceId { get; } = persistenceId;

    /// <summary>The first sequence number of the failed batch.</summary>
    public long FromSequenceNr { get; } = fromSequenceNr;

    /// <summary>The last sequence number of the failed batch.</summary>
    public long ToSequenceNr { get; } = toSequenceNr;
}

namespace ActorRL.Actors.Persistence;

/// <summary>Which snapshot: whose, after which event, and when it was taken.</summary>
/// <param name="PersistenceId">The persistent actor's id.</param>
/// <param name="SequenceNr">The last event the snapshot includes.</param>
/// <param name="Timestamp">When it was taken.</param>
public sealed record SnapshotMetadata(string PersistenceId, long SequenceNr, DateTimeOffset Timestamp);

/// <summary>Given to the recovery handlers first when a snapshot exists: the state to start from.</summary>
/// <param name="Metadata">Which snapshot.</param>
/// <param name="Snapshot">The deserialized state.</param>
public sealed record SnapshotOffer(SnapshotMetadata Metadata, object Snapshot);

/// <summary>Given to the recovery handlers last, once every stored event has been replayed.</summary>
public sealed record RecoveryCompleted
{
    /// <summary>The one instance.</summary>
    public static readonly RecoveryCompleted Instance = new();

    private RecoveryCompleted() { }
}

/// <summary>Told to the actor once a snapshot asked for with <c>SaveSnapshot</c> is stored.</summary>
/// <param name="Metadata">The stored snapshot.</param>
public sealed record SaveSnapshotSuccess(SnapshotMetadata Metadata);

/// <summary>Told to the actor when a snapshot could not be stored; its events are still in the journal.</summary>
/// <param name="Metadata">The snapshot that was not stored.</param>
/// <param name="Cause">Why.</param>
public sealed record SaveSnapshotFailure(SnapshotMetadata Metadata, Exception Cause);

/// <summary>Told to the actor once its events up to <paramref name="ToSequenceNr"/> are deleted.</summary>
/// <param name="ToSequenceNr">The last deleted sequence number (inclusive).</param>
public sealed record DeleteMessagesSuccess(long ToSequenceNr);

/// <summary>Told to the actor when its events could not be deleted.</summary>
/// <param name="ToSequenceNr">The requested last sequence number.</param>
/// <param name="Cause">Why.</param>
public sealed record DeleteMessagesFailure(long ToSequenceNr, Exception Cause);

/// <summary>Told to the actor once its snapshots up to <paramref name="ToSequenceNr"/> are deleted.</summary>
/// <param name="ToSequenceNr">The last deleted sequence number (inclusive).</param>
public sealed record DeleteSnapshotsSuccess(long ToSequenceNr);

/// <summary>Told to the actor when its snapshots could not be deleted.</summary>
/// <param name="ToSequenceNr">The requested last sequence number.</param>
/// <param name="Cause">Why.</param>
public sealed record DeleteSnapshotsFailure(long ToSequenceNr, Exception Cause);

namespace ActorRL.Actors.Persistence;

/// <summary>
/// The event journal: append-only events per persistence id. Providers (SQLite, PostgreSQL) share one schema with a
/// unique (persistence_id, sequence_nr); the schema is created on first use. Transient failures are retried with
/// back-off; what is still failing after the retries surfaces as <see cref="JournalUnavailableException"/>.
/// </summary>
public interface IJournal : IAsyncDisposable
{
    /// <summary>Appends <paramref name="events"/> atomically (all or none), in order.</summary>
    /// <exception cref="JournalConcurrencyException">A (persistence id, sequence number) is already stored; nothing was written.</exception>
    /// <exception cref="JournalUnavailableException">The store stayed unusable through the retries.</exception>
    Task WriteAsync(IReadOnlyList<PersistentRepr> events, CancellationToken cancellationToken = default);

    /// <summary>The events of <paramref name="persistenceId"/> with from ≤ sequence number ≤ to, ascending (deleted ones excluded).</summary>
    Task<IReadOnlyList<PersistentRepr>> ReadAsync(string persistenceId, long fromSequenceNr, long toSequenceNr, CancellationToken cancellationToken = default);

    /// <summary>The highest sequence number ever written for the id (still known after deletions), 0 when none.</summary>
    Task<long> HighestSequenceNrAsync(string persistenceId, CancellationToken cancellationToken = default);

    /// <summary>Deletes the events up to and including <paramref name="toSequenceNr"/>.</summary>
    Task DeleteToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken = default);
}

/// <summary>Snapshots per persistence id, in the same database as the journal.</summary>
public interface ISnapshotStore : IAsyncDisposable
{
    /// <summary>Stores a snapshot (replacing one at the same sequence number).</summary>
    Task SaveAsync(SnapshotRecord snapshot, CancellationToken cancellationToken = default);

    /// <summary>The snapshot with the highest sequence number, or null.</summary>
    Task<SnapshotRecord?> LoadLatestAsync(string persistenceId, CancellationToken cancellationToken = default);

    /// <summary>Deletes the snapshots up to and including <paramref name="toSequenceNr"/>.</summary>
    Task DeleteToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken = default);
}

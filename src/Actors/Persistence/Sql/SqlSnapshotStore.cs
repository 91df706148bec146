using System.Data.Common;

namespace ActorRL.Actors.Persistence;

/// <summary>
/// Snapshots on SQLite or PostgreSQL, in the same database as the <see cref="SqlJournal"/> (see <see cref="SqlPersistence"/>).
/// A snapshot at a sequence number already stored replaces it; transient errors are retried under the store's
/// <see cref="RetryPolicy"/>.
/// </summary>
public sealed class SqlSnapshotStore : ISnapshotStore
{
    private readonly SqlDatabase database;
    private int disposed;

    internal SqlSnapshotStore(SqlDatabase database) => this.database = database;

    /// <summary>Where the snapshots live: the SQLite file, or PostgreSQL host:port/database.</summary>
    public string Store => database.Store;

    /// <inheritdoc/>
    public Task SaveAsync(SnapshotRecord snapshot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ObjectDisposedException.ThrowIf(disposed != 0, this);
        return database.RunAsync($"save of snapshot {snapshot.SequenceNr} of '{snapshot.PersistenceId}'", async (c, ct) =>
        {
            await using DbCommand command = SqlDatabase.Command(c, SqlSchema.UpsertSnapshot);
            SqlDatabase.Parameter(command, "@pid", snapshot.PersistenceId);
            SqlDatabase.Parameter(command, "@seq", snapshot.SequenceNr);
            SqlDatabase.Parameter(command, "@manifest", snapshot.Manifest);
            SqlDatabase.Parameter(command, "@payload", snapshot.Payload);
            SqlDatabase.Parameter(command, "@written_at", SqlSchema.ToMicros(snapshot.Timestamp));
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<SnapshotRecord?> LoadLatestAsync(string persistenceId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(persistenceId);
        ObjectDisposedException.ThrowIf(disposed != 0, this);
        return database.RunAsync<SnapshotRecord?>($"load of the latest snapshot of '{persistenceId}'", async (c, _, ct) =>
        {
            await using DbCommand command = SqlDatabase.Command(c, SqlSchema.SelectLatestSnapshot);
            SqlDatabase.Parameter(command, "@pid", persistenceId);
            await using DbDataReader reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            if (!await reader.ReadAsync(ct).ConfigureAwait(false)) return null;
            return new SnapshotRecord(persistenceId, reader.GetInt64(0), reader.GetString(1), SqlJournal.ReadBytes(reader, 2),
                SqlSchema.FromMicros(reader.GetInt64(3)));
        }, cancellationToken);
    }

    /// <inheritdoc/>
    public Task DeleteToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(persistenceId);
        ObjectDisposedException.ThrowIf(disposed != 0, this);
        return database.RunAsync($"delete of snapshots of '{persistenceId}' up to {toSequenceNr}", async (c, ct) =>
        {
            await using DbCommand command = SqlDatabase.Command(c, SqlSchema.DeleteSnapshots);
            SqlDatabase.Parameter(command, "@pid", persistenceId);
            SqlDatabase.Parameter(command, "@to", toSequenceNr);
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, cancellationToken);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 0) await database.ReleaseAsync().ConfigureAwait(false);
    }
}

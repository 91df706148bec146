using System.Data.Common;

namespace ActorRL.Actors.Persistence;

/// <summary>
/// The event journal on SQLite or PostgreSQL (see <see cref="SqlPersistence"/>). Each <see cref="WriteAsync"/> batch is
/// one transaction; the unique (persistence_id, sequence_nr) key turns a second writer into a
/// <see cref="JournalConcurrencyException"/>; transient errors are retried under the store's <see cref="RetryPolicy"/>.
/// </summary>
public sealed class SqlJournal : IJournal
{
    private readonly SqlDatabase database;
    private int disposed;

    internal SqlJournal(SqlDatabase database) => this.database = database;

    /// <summary>Where the events live: the SQLite file, or PostgreSQL host:port/database.</summary>
    public string Store => database.Store;

    /// <inheritdoc/>
    public Task WriteAsync(IReadOnlyList<PersistentRepr> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        ObjectDisposedException.ThrowIf(disposed != 0, this);
        if (events.Count == 0) return Task.CompletedTask;
        string what = events.Count == 1
            ? $"write of event {events[0].SequenceNr} of '{events[0].PersistenceId}'"
            : $"write of {events.Count} events ({events[0].PersistenceId}:{events[0].SequenceNr} … {events[^1].PersistenceId}:{events[^1].SequenceNr})";
        return database.RunAsync(what, (c, attempt, ct) => WriteBatchAsync(c, events, attempt, ct), cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<PersistentRepr>> ReadAsync(string persistenceId, long fromSequenceNr, long toSequenceNr, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(persistenceId);
        ObjectDisposedException.ThrowIf(disposed != 0, this);
        return database.RunAsync<IReadOnlyList<PersistentRepr>>($"read of '{persistenceId}' [{fromSequenceNr}, {toSequenceNr}]", async (c, _, ct) =>
        {
            await using DbCommand command = SqlDatabase.Command(c, SqlSchema.SelectEvents);
            SqlDatabase.Parameter(command, "@pid", persistenceId);
            SqlDatabase.Parameter(command, "@from", fromSequenceNr);
            SqlDatabase.Parameter(command, "@to", toSequenceNr);
            await using DbDataReader reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var events = new List<PersistentRepr>();
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                events.Add(new PersistentRepr(persistenceId, reader.GetInt64(0), reader.GetString(1), ReadBytes(reader, 2),
                    SqlSchema.FromMicros(reader.GetInt64(3))));
            }
            return events;
        }, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<long> HighestSequenceNrAsync(string persistenceId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(persistenceId);
        ObjectDisposedException.ThrowIf(disposed != 0, this);
        return database.RunAsync($"highest sequence number of '{persistenceId}'", async (c, _, ct) =>
        {
            await using DbCommand command = SqlDatabase.Command(c, SqlSchema.SelectHighest);
            SqlDatabase.Parameter(command, "@pid", persistenceId);
            return Convert.ToInt64(await command.ExecuteScalarAsync(ct).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
        }, cancellationToken);
    }

    /// <inheritdoc/>
    public Task DeleteToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(persistenceId);
        ObjectDisposedException.ThrowIf(disposed != 0, this);
        return database.RunAsync($"delete of '{persistenceId}' up to {toSequenceNr}", async (c, ct) =>
        {
            await using DbTransaction transaction = await c.BeginTransactionAsync(ct).ConfigureAwait(false);
            await using (DbCommand highest = SqlDatabase.Command(c, SqlSchema.SelectHighestToDelete, transaction))
            {
                SqlDatabase.Parameter(highest, "@pid", persistenceId);
                SqlDatabase.Parameter(highest, "@to", toSequenceNr);
                if (await highest.ExecuteScalarAsync(ct).ConfigureAwait(false) is long value)
                {
                    await using DbCommand remember = SqlDatabase.Command(c, SqlSchema.UpsertHighestDeleted, transaction);
                    SqlDatabase.Parameter(remember, "@pid", persistenceId);
                    SqlDatabase.Parameter(remember, "@seq", value);
                    await remember.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }
            }
            await using (DbCommand delete = SqlDatabase.Command(c, SqlSchema.DeleteEvents, transaction))
            {
                SqlDatabase.Parameter(delete, "@pid", persistenceId);
                SqlDatabase.Parameter(delete, "@to", toSequenceNr);
                await delete.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            await transaction.CommitAsync(ct).ConfigureAwait(false);
        }, cancellationToken);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 0) await database.ReleaseAsync().ConfigureAwait(false);
    }

    /// <summary>Reads a payload column (NOT NULL in the schema; a zero-length payload comes back as an empty array).</summary>
    internal static byte[] ReadBytes(DbDataReader reader, int ordinal) => reader.GetFieldValue<byte[]>(ordinal);

    private async Task<bool> WriteBatchAsync(DbConnection connection, IReadOnlyList<PersistentRepr> events, int attempt, CancellationToken ct)
    {
        PersistentRepr? collided = null;
        DbException? collision = null;
        await using (DbTransaction transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false))
        {
            await using DbCommand insert = SqlDatabase.Command(connection, SqlSchema.InsertEvent, transaction);
            DbParameter pid = SqlDatabase.Parameter(insert, "@pid", "");
            DbParameter seq = SqlDatabase.Parameter(insert, "@seq", 0L);
            DbParameter manifest = SqlDatabase.Parameter(insert, "@manifest", "");
            DbParameter payload = SqlDatabase.Parameter(insert, "@payload", Array.Empty<byte>());
            DbParameter writtenAt = SqlDatabase.Parameter(insert, "@written_at", 0L);
            foreach (PersistentRepr e in events)
            {
                pid.Value = e.PersistenceId;
                seq.Value = e.SequenceNr;
                manifest.Value = e.Manifest;
                payload.Value = e.Payload;
                writtenAt.Value = SqlSchema.ToMicros(e.Timestamp);
                try
                {
                    await insert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }
                catch (DbException error) when (database.Dialect.IsUniqueViolation(error))
                {
                    (collided, collision) = (e, error);
                    break;
                }
            }
            if (collided is null) collided = await FirstDeletedAsync(connection, transaction, events, ct).ConfigureAwait(false);
            if (collided is null)
            {
                await transaction.CommitAsync(ct).ConfigureAwait(false);
                return true;
            }
            await transaction.RollbackAsync(ct).ConfigureAwait(false);
        }

        // A retry after an attempt whose commit may have gone through: finding exactly our own batch stored is success.
        if (attempt > 1 && await AllStoredAsync(connection, events, ct).ConfigureAwait(false)) return true;
        throw new JournalConcurrencyException(
            $"event {collided.SequenceNr} of '{collided.PersistenceId}' is already in the journal ({database.Store}); " +
            $"another writer got there first, nothing of this batch of {events.Count} was written", collision);
    }

    /// <summary>An event of the batch whose sequence number was already used and then deleted (checked after the inserts so a concurrent delete has committed).</summary>
    private static async Task<PersistentRepr?> FirstDeletedAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<PersistentRepr> events, CancellationToken ct)
    {
        await using DbCommand command = SqlDatabase.Command(connection, SqlSchema.SelectHighestDeleted, transaction);
        DbParameter pid = SqlDatabase.Parameter(command, "@pid", "");
        foreach (IGrouping<string, PersistentRepr> group in events.GroupBy(e => e.PersistenceId))
        {
            pid.Value = group.Key;
            if (await command.ExecuteScalarAsync(ct).ConfigureAwait(false) is long highestDeleted)
            {
                if (group.FirstOrDefault(e => e.SequenceNr <= highestDeleted) is { } stale) return stale;
            }
        }
        return null;
    }

    private static async Task<bool> AllStoredAsync(DbConnection connection, IReadOnlyList<PersistentRepr> events, CancellationToken ct)
    {
        await using DbCommand command = SqlDatabase.Command(connection, SqlSchema.SelectEvent);
        DbParameter pid = SqlDatabase.Parameter(command, "@pid", "");
        DbParameter seq = SqlDatabase.Parameter(command, "@seq", 0L);
        foreach (PersistentRepr e in events)
        {
            pid.Value = e.PersistenceId;
            seq.Value = e.SequenceNr;
            await using DbDataReader reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            if (!await reader.ReadAsync(ct).ConfigureAwait(false)) return false;
            if (reader.GetString(0) != e.Manifest || !ReadBytes(reader, 1).AsSpan().SequenceEqual(e.Payload)) return false;
        }
        return true;
    }
}

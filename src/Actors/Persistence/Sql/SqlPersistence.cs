using Microsoft.Extensions.Logging;

namespace ActorRL.Actors.Persistence;

/// <summary>
/// Opens the SQL journal and snapshot store on one database: SQLite (the embedded default, a file in the run directory)
/// or PostgreSQL (for clusters). Both providers share one schema, created on first use. Dispose this, or both stores;
/// the database is closed when the last of them goes.
/// </summary>
/// <example>
/// <code>
/// await using var persistence = SqlPersistence.OpenSqlite(Path.Combine(runDir, "journal.db"), logger: log);
/// await persistence.Journal.WriteAsync([new PersistentRepr("coordinator", 1, "rl.Started", bytes, DateTimeOffset.UtcNow)]);
/// </code>
/// </example>
public sealed class SqlPersistence : IAsyncDisposable
{
    /// <summary>How long one SQLite attempt waits on a lock held by another connection before it counts as failed.</summary>
    public static readonly TimeSpan DefaultSqliteLockWait = TimeSpan.FromSeconds(1);

    private SqlPersistence(SqlDatabase database)
    {
        Journal = new SqlJournal(database);
        SnapshotStore = new SqlSnapshotStore(database);
    }

    /// <summary>The event journal.</summary>
    public SqlJournal Journal { get; }

    /// <summary>The snapshot store, in the same database.</summary>
    public SqlSnapshotStore SnapshotStore { get; }

    /// <summary>Where the data lives: the SQLite file, or PostgreSQL host:port/database (never a password).</summary>
    public string Store => Journal.Store;

    /// <summary>Both stores on the SQLite file at <paramref name="path"/> (created with its directory when missing; WAL, synchronous=FULL).</summary>
    /// <param name="path">The database file, e.g. &lt;run.dir&gt;/journal.db.</param>
    /// <param name="retry">Retries of transient failures (a locked file); <see cref="RetryPolicy.Default"/> when null.</param>
    /// <param name="logger">Where each retry is logged as a warning; nowhere when null.</param>
    public static SqlPersistence OpenSqlite(string path, RetryPolicy? retry = null, ILogger? logger = null) =>
        OpenSqlite(path, DefaultSqliteLockWait, retry, logger);

    /// <summary>As <see cref="OpenSqlite(string, RetryPolicy?, ILogger?)"/>, with how long one attempt waits on a lock.</summary>
    internal static SqlPersistence OpenSqlite(string path, TimeSpan lockWait, RetryPolicy? retry, ILogger? logger) =>
        new(new SqlDatabase(new SqliteDialect(path, lockWait), retry, logger, users: 2));

    /// <summary>Both stores on the PostgreSQL database named by <paramref name="connectionString"/> (an Npgsql connection string).</summary>
    /// <param name="connectionString">e.g. <c>Host=db;Port=5432;Database=actorrl;Username=rl;Password=…</c>.</param>
    /// <param name="retry">Retries of transient failures (server down or restarting); <see cref="RetryPolicy.Default"/> when null.</param>
    /// <param name="logger">Where each retry is logged as a warning; nowhere when null.</param>
    public static SqlPersistence OpenPostgres(string connectionString, RetryPolicy? retry = null, ILogger? logger = null) =>
        new(new SqlDatabase(new PostgresDialect(connectionString), retry, logger, users: 2));

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await Journal.DisposeAsync().ConfigureAwait(false);
        await SnapshotStore.DisposeAsync().ConfigureAwait(false);
    }
}

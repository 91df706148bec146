using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace ActorRL.Actors.Persistence;

/// <summary>
/// SQLite, the embedded default: one file (the run directory puts it at &lt;run.dir&gt;/journal.db), WAL mode so readers
/// never block the writer, <c>synchronous=FULL</c> so a committed write survives power loss, and a short
/// <c>busy_timeout</c> so a lock held elsewhere turns into a retry with back-off rather than a long stall.
/// </summary>
internal sealed class SqliteDialect : SqlDialect
{
    private const int SqliteBusy = 5, SqliteLocked = 6, SqliteConstraint = 19, SqliteProtocol = 15;
    private const int SqliteConstraintPrimaryKey = 1555, SqliteConstraintUnique = 2067;

    private readonly string connectionString;
    private readonly int busyTimeoutMs;

    static SqliteDialect() => SQLitePCL.Batteries_V2.Init();

    /// <summary>A dialect for the database file at <paramref name="path"/> (created, with its directory, when missing).</summary>
    /// <param name="path">The database file.</param>
    /// <param name="lockWait">How long one attempt waits for a lock held by another connection before it counts as failed.</param>
    public SqliteDialect(string path, TimeSpan lockWait)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        FilePath = Path.GetFullPath(path);
        busyTimeoutMs = (int)Math.Max(1, lockWait.TotalMilliseconds);
        connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            // Microsoft.Data.Sqlite re-tries BUSY itself until the command timeout (whole seconds; 0 would mean forever).
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(lockWait.TotalSeconds)),
        }.ToString();
    }

    /// <summary>The database file, as an absolute path.</summary>
    public string FilePath { get; }

    /// <inheritdoc/>
    public override string Store => $"SQLite file {FilePath}";

    /// <inheritdoc/>
    public override string BinaryType => "BLOB";

    /// <inheritdoc/>
    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        string? directory = Path.GetDirectoryName(FilePath);
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, $"PRAGMA busy_timeout = {busyTimeoutMs}; PRAGMA synchronous = FULL;", cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc/>
    public override Task PrepareDatabaseAsync(DbConnection connection, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, "PRAGMA journal_mode = WAL;", cancellationToken);

    /// <inheritdoc/>
    public override bool IsUniqueViolation(Exception error) =>
        error is SqliteException { SqliteErrorCode: SqliteConstraint } e
        && e.SqliteExtendedErrorCode is SqliteConstraintPrimaryKey or SqliteConstraintUnique;

    /// <inheritdoc/>
    public override bool IsTransient(Exception error) =>
        error is SqliteException { SqliteErrorCode: SqliteBusy or SqliteLocked or SqliteProtocol };

    /// <inheritdoc/>
    public override ValueTask DisposeAsync()
    {
        // Pooled connections keep the file (and its -wal/-shm companions) open; release them with the store.
        using var connection = new SqliteConnection(connectionString);
        SqliteConnection.ClearPool(connection);
        return ValueTask.CompletedTask;
    }
}

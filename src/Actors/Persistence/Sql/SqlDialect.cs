using System.Data.Common;

namespace ActorRL.Actors.Persistence;

/// <summary>
/// What differs between the SQL providers: how a connection is opened and set up, the binary column type, how the
/// schema is serialized against concurrent creators, and which provider errors mean "unique violation" (a concurrency
/// conflict) or "transient" (worth a retry). Statements and parameter syntax (<c>@name</c>) are shared.
/// </summary>
internal abstract class SqlDialect : IAsyncDisposable
{
    /// <summary>Where the data lives, for error messages: the SQLite file, or PostgreSQL host:port/database (never a password).</summary>
    public abstract string Store { get; }

    /// <summary>The column type of payloads.</summary>
    public abstract string BinaryType { get; }

    /// <summary>Run inside the schema-creation transaction before the CREATE statements, so concurrent creators queue; null when the transaction already does that.</summary>
    public virtual string? SchemaLock => null;

    /// <summary>Opens a connection with the per-connection settings applied.</summary>
    public abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>Once per database, before the schema is created, outside any transaction (e.g. SQLite's journal mode).</summary>
    public virtual Task PrepareDatabaseAsync(DbConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>True when <paramref name="error"/> says a row with the same key is already stored.</summary>
    public abstract bool IsUniqueViolation(Exception error);

    /// <summary>True when <paramref name="error"/> may go away by itself (a lock, a server restarting or unreachable).</summary>
    public abstract bool IsTransient(Exception error);

    /// <summary>Called after a transient failure, e.g. to drop pooled connections to a server that went away.</summary>
    public virtual void OnTransientFailure() { }

    /// <inheritdoc/>
    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>Runs <paramref name="sql"/> without results.</summary>
    public static async Task ExecuteAsync(DbConnection connection, string sql, CancellationToken cancellationToken, DbTransaction? transaction = null)
    {
        await using DbCommand command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}

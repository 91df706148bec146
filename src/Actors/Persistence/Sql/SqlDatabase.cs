using System.Data.Common;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ActorRL.Actors.Persistence;

/// <summary>
/// One database shared by the journal and the snapshot store: opens connections through the dialect, creates the
/// schema on first use, and runs each operation under the <see cref="RetryPolicy"/>. Closed when the last store using
/// it is disposed.
/// </summary>
internal sealed partial class SqlDatabase
{
    private readonly RetryPolicy retry;
    private readonly ILogger logger;
    private readonly SemaphoreSlim schemaGate = new(1, 1);
    private volatile bool schemaReady;
    private int users;

    public SqlDatabase(SqlDialect dialect, RetryPolicy? retry, ILogger? logger, int users)
    {
        (retry ??= RetryPolicy.Default).Validate();
        Dialect = dialect;
        this.retry = retry;
        this.logger = logger ?? NullLogger.Instance;
        this.users = users;
    }

    public SqlDialect Dialect { get; }

    /// <summary>Where the data lives, for messages.</summary>
    public string Store => Dialect.Store;

    /// <summary>
    /// Runs <paramref name="body"/> on a fresh connection, retrying transient failures with back-off. The body gets the
    /// attempt number (1-based) so a write can recognise its own commit from an attempt whose outcome was unknown.
    /// </summary>
    /// <exception cref="JournalUnavailableException">Still failing after the last attempt, or a database error that is not transient.</exception>
    public async Task<T> RunAsync<T>(string operation, Func<DbConnection, int, CancellationToken, Task<T>> body, CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await using DbConnection connection = await Dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
                await EnsureSchemaAsync(connection, cancellationToken).ConfigureAwait(false);
                return await body(connection, attempt, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (Dialect.IsTransient(e) && !cancellationToken.IsCancellationRequested)
            {
                Dialect.OnTransientFailure();
                if (attempt >= retry.Attempts)
                {
                    throw new JournalUnavailableException(
                        $"{operation} on {Store} failed after {attempt} attempt(s): {e.Message}", e);
                }
                TimeSpan delay = retry.DelayAfter(attempt);
                LogRetry(logger, operation, Store, attempt, retry.Attempts, delay.TotalMilliseconds, e.Message);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
            catch (DbException e) when (!Dialect.IsTransient(e))
            {
                throw new JournalUnavailableException($"{operation} on {Store} failed (not a transient error, not retried): {e.Message}", e);
            }
        }
    }

    /// <summary>Runs <paramref name="body"/> as with <see cref="RunAsync{T}"/>, for operations without a result.</summary>
    public Task RunAsync(string operation, Func<DbConnection, CancellationToken, Task> body, CancellationToken cancellationToken) =>
        RunAsync(operation, async (c, _, ct) => { await body(c, ct).ConfigureAwait(false); return true; }, cancellationToken);

    /// <summary>A command with <paramref name="sql"/> in <paramref name="transaction"/>, parameters added by the caller.</summary>
    public static DbCommand Command(DbConnection connection, string sql, DbTransaction? transaction = null)
    {
        DbCommand command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    /// <summary>Adds parameter @<paramref name="name"/> with <paramref name="value"/>.</summary>
    public static DbParameter Parameter(DbCommand command, string name, object value)
    {
        DbParameter p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        command.Parameters.Add(p);
        return p;
    }

    /// <summary>One store is done with the database; the last one closes it.</summary>
    public async ValueTask ReleaseAsync()
    {
        if (Interlocked.Decrement(ref users) == 0) await Dialect.DisposeAsync().ConfigureAwait(false);
    }

    private async Task EnsureSchemaAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        if (schemaReady) return;
        await schemaGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (schemaReady) return;
            await Dialect.PrepareDatabaseAsync(connection, cancellationToken).ConfigureAwait(false);
            await using DbTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            if (Dialect.SchemaLock is { } schemaLock) await SqlDialect.ExecuteAsync(connection, schemaLock, cancellationToken, transaction).ConfigureAwait(false);
            foreach (string statement in SqlSchema.Create(Dialect))
                await SqlDialect.ExecuteAsync(connection, statement, cancellationToken, transaction).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            schemaReady = true;
        }
        finally
        {
            schemaGate.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Operation} on {Store} failed (attempt {Attempt} of {Attempts}), retrying in {DelayMs} ms: {Error}")]
    private static partial void LogRetry(ILogger logger, string operation, string store, int attempt, int attempts, double delayMs, string error);
}

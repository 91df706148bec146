using System.Data.Common;
using System.Net.Sockets;
using Npgsql;

namespace ActorRL.Actors.Persistence;

/// <summary>
/// PostgreSQL through Npgsql, for clusters: every node talks to the same server. Connections come from one
/// <see cref="NpgsqlDataSource"/> (pooled); after a transient failure the pool is cleared so connections to a server that
/// restarted are not reused.
/// </summary>
internal sealed class PostgresDialect : SqlDialect
{
    private const string UniqueViolation = "23505", AdminShutdown = "57P01", CrashShutdown = "57P02", CannotConnectNow = "57P03";

    private readonly NpgsqlDataSource dataSource;

    /// <summary>A dialect for the server and database named by <paramref name="connectionString"/>.</summary>
    public PostgresDialect(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        Store = $"PostgreSQL {builder.Host}:{builder.Port}/{builder.Database ?? builder.Username}";
        dataSource = NpgsqlDataSource.Create(builder);
    }

    /// <inheritdoc/>
    public override string Store { get; }

    /// <inheritdoc/>
    public override string BinaryType => "BYTEA";

    /// <inheritdoc/>
    /// <remarks>CREATE TABLE IF NOT EXISTS is not safe against a concurrent creator in PostgreSQL; a transaction-scoped advisory lock queues them.</remarks>
    public override string SchemaLock => "SELECT pg_advisory_xact_lock(4172019)";

    /// <inheritdoc/>
    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public override bool IsUniqueViolation(Exception error) => error is PostgresException { SqlState: UniqueViolation };

    /// <inheritdoc/>
    public override bool IsTransient(Exception error) => error switch
    {
        PostgresException p => p.IsTransient || p.SqlState.StartsWith("08", StringComparison.Ordinal)
                               || p.SqlState is AdminShutdown or CrashShutdown or CannotConnectNow,
        NpgsqlException n => n.IsTransient || n.InnerException is SocketException or IOException or TimeoutException,
        SocketException or TimeoutException => true,
        _ => false,
    };

    /// <inheritdoc/>
    public override void OnTransientFailure() => dataSource.Clear();

    /// <inheritdoc/>
    public override ValueTask DisposeAsync() => dataSource.DisposeAsync();
}

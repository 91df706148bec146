namespace ActorRL.Actors.Persistence;

/// <summary>
/// The one schema both providers share, and every statement the stores run. Dialect differences are data taken from
/// <see cref="SqlDialect"/> (the binary column type); everything else — including the upsert, which SQLite (3.24+) and
/// PostgreSQL (9.5+) spell the same — is written once. Tables are created with IF NOT EXISTS on first use.
/// </summary>
/// <remarks>
/// <c>journal</c> holds the events, unique on (persistence_id, sequence_nr): that key is the optimistic-concurrency check.
/// Deleting events removes their rows, so <c>journal_highest</c> remembers the highest deleted sequence number per id;
/// the highest sequence number survives deletions and a stale writer cannot reuse a deleted number.
/// <c>written_at</c> is UTC microseconds since the Unix epoch (PostgreSQL's own timestamp resolution).
/// </remarks>
internal static class SqlSchema
{
    /// <summary>The CREATE statements, in order, for <paramref name="dialect"/>.</summary>
    public static IReadOnlyList<string> Create(SqlDialect dialect) =>
    [
        $"""
        CREATE TABLE IF NOT EXISTS journal (
            persistence_id TEXT NOT NULL,
            sequence_nr    BIGINT NOT NULL,
            manifest       TEXT NOT NULL,
            payload        {dialect.BinaryType} NOT NULL,
            written_at     BIGINT NOT NULL,
            PRIMARY KEY (persistence_id, sequence_nr))
        """,
        """
        CREATE TABLE IF NOT EXISTS journal_highest (
            persistence_id TEXT NOT NULL PRIMARY KEY,
            sequence_nr    BIGINT NOT NULL)
        """,
        $"""
        CREATE TABLE IF NOT EXISTS snapshots (
            persistence_id TEXT NOT NULL,
            sequence_nr    BIGINT NOT NULL,
            manifest       TEXT NOT NULL,
            payload        {dialect.BinaryType} NOT NULL,
            written_at     BIGINT NOT NULL,
            PRIMARY KEY (persistence_id, sequence_nr))
        """,
    ];

    public const string InsertEvent =
        "INSERT INTO journal (persistence_id, sequence_nr, manifest, payload, written_at) VALUES (@pid, @seq, @manifest, @payload, @written_at)";

    public const string SelectEvents =
        "SELECT sequence_nr, manifest, payload, written_at FROM journal WHERE persistence_id = @pid AND sequence_nr >= @from AND sequence_nr <= @to ORDER BY sequence_nr";

    public const string SelectEvent =
        "SELECT manifest, payload FROM journal WHERE persistence_id = @pid AND sequence_nr = @seq";

    public const string SelectHighestDeleted =
        "SELECT sequence_nr FROM journal_highest WHERE persistence_id = @pid";

    public const string SelectHighest =
        """
        SELECT COALESCE(MAX(s), 0) FROM (
            SELECT MAX(sequence_nr) AS s FROM journal WHERE persistence_id = @pid
            UNION ALL
            SELECT sequence_nr AS s FROM journal_highest WHERE persistence_id = @pid) AS h
        """;

    public const string SelectHighestToDelete =
        "SELECT MAX(sequence_nr) FROM journal WHERE persistence_id = @pid AND sequence_nr <= @to";

    public const string UpsertHighestDeleted =
        """
        INSERT INTO journal_highest (persistence_id, sequence_nr) VALUES (@pid, @seq)
        ON CONFLICT (persistence_id) DO UPDATE SET sequence_nr =
            CASE WHEN excluded.sequence_nr > journal_highest.sequence_nr THEN excluded.sequence_nr ELSE journal_highest.sequence_nr END
        """;

    public const string DeleteEvents =
        "DELETE FROM journal WHERE persistence_id = @pid AND sequence_nr <= @to";

    public const string UpsertSnapshot =
        """
        INSERT INTO snapshots (persistence_id, sequence_nr, manifest, payload, written_at) VALUES (@pid, @seq, @manifest, @payload, @written_at)
        ON CONFLICT (persistence_id, sequence_nr) DO UPDATE SET
            manifest = excluded.manifest, payload = excluded.payload, written_at = excluded.written_at
        """;

    public const string SelectLatestSnapshot =
        "SELECT sequence_nr, manifest, payload, written_at FROM snapshots WHERE persistence_id = @pid ORDER BY sequence_nr DESC LIMIT 1";

    public const string DeleteSnapshots =
        "DELETE FROM snapshots WHERE persistence_id = @pid AND sequence_nr <= @to";

    /// <summary>A timestamp as stored in <c>written_at</c>.</summary>
    public static long ToMicros(DateTimeOffset t) => (t.UtcTicks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMicrosecond;

    /// <summary>A stored <c>written_at</c> as a UTC timestamp.</summary>
    public static DateTimeOffset FromMicros(long micros) => new(DateTime.UnixEpoch.Ticks + (micros * TimeSpan.TicksPerMicrosecond), TimeSpan.Zero);
}

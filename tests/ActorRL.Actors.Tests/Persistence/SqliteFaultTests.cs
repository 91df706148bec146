using ActorRL.Actors.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace ActorRL.Actors.Tests.Persistence;

/// <summary>A SQLite file locked by another connection's write transaction: retried with back-off, then a clear error naming the file.</summary>
public sealed class SqliteFaultTests : IAsyncLifetime
{
    private static readonly TimeSpan LockWait = TimeSpan.FromMilliseconds(100);
    private readonly string dir = Path.Combine(Path.GetTempPath(), $"actorrl-sqlite-{Guid.NewGuid():N}");
    private readonly InMemoryLoggerProvider logs = new();
    private ILoggerFactory loggerFactory = null!;

    private string DbPath => Path.Combine(dir, "journal.db");

    public Task InitializeAsync()
    {
        loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs));
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        loggerFactory.Dispose();
        Directory.Delete(dir, recursive: true);
        return Task.CompletedTask;
    }

    private SqlPersistence Open(RetryPolicy retry) =>
        SqlPersistence.OpenSqlite(DbPath, LockWait, retry, loggerFactory.CreateLogger("journal"));

    private static PersistentRepr Event(long seq) => new("locked", seq, "test.Event", [(byte)seq], DateTimeOffset.UnixEpoch);

    /// <summary>Another connection that holds the database's write lock (BEGIN IMMEDIATE) until disposed.</summary>
    private async Task<SqliteConnection> HoldWriteLockAsync()
    {
        var connection = new SqliteConnection($"Data Source={DbPath};Pooling=False");
        await connection.OpenAsync();
        await using SqliteCommand begin = connection.CreateCommand();
        begin.CommandText = "BEGIN IMMEDIATE; INSERT INTO snapshots VALUES ('holder', 1, 'm', x'00', 0);";
        await begin.ExecuteNonQueryAsync();
        return connection;
    }

    [Fact]
    public async Task AWriteRetriesWhileTheFileIsLockedAndSucceedsOnceTheLockIsReleased()
    {
        await using SqlPersistence store = Open(new RetryPolicy { Attempts = 20, FirstDelay = TimeSpan.FromMilliseconds(50), MaxDelay = TimeSpan.FromMilliseconds(200) });
        await store.Journal.WriteAsync([Event(1)]);
        SqliteConnection holder = await HoldWriteLockAsync();

        Task write = store.Journal.WriteAsync([Event(2)]);
        await Eventually.True(() => logs.Entries.Any(e => e.Level == LogLevel.Warning), "a logged retry", TimeSpan.FromSeconds(20));
        Assert.False(write.IsCompleted);
        await holder.DisposeAsync();
        await write;

        Assert.Equal(new[] { 1L, 2 }, (await store.Journal.ReadAsync("locked", 1, 10)).Select(e => e.SequenceNr));
        LogEntry retry = logs.Entries.First(e => e.Level == LogLevel.Warning);
        Assert.Contains(DbPath, retry.Message);
        Assert.Contains("attempt 1 of 20", retry.Message);
    }

    [Fact]
    public async Task AWriteFailsWithAnErrorNamingTheFileWhenTheLockOutlastsTheRetries()
    {
        await using SqlPersistence store = Open(new RetryPolicy { Attempts = 3, FirstDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(50) });
        await store.Journal.WriteAsync([Event(1)]);
        await using (SqliteConnection holder = await HoldWriteLockAsync())
        {
            var error = await Assert.ThrowsAsync<JournalUnavailableException>(() => store.Journal.WriteAsync([Event(2), Event(3)]));

            Assert.Contains($"SQLite file {DbPath}", error.Message);
            Assert.Contains("after 3 attempt(s)", error.Message);
            Assert.Contains("locked", error.Message);
            Assert.Equal(2, logs.Entries.Count(e => e.Level == LogLevel.Warning));
        }

        // Nothing of the failed batch was written; the store works again once the lock is gone.
        Assert.Equal(1, await store.Journal.HighestSequenceNrAsync("locked"));
        await store.Journal.WriteAsync([Event(2)]);
        Assert.Equal(2, await store.Journal.HighestSequenceNrAsync("locked"));
    }

    [Fact]
    public async Task AFileThatIsNotADatabaseFailsAtOnceWithAnErrorNamingIt()
    {
        Directory.CreateDirectory(dir);
        await File.WriteAllTextAsync(DbPath, new string('x', 4096));
        await using SqlPersistence store = Open(RetryPolicy.Default);

        var error = await Assert.ThrowsAsync<JournalUnavailableException>(() => store.Journal.HighestSequenceNrAsync("any"));

        Assert.Contains(DbPath, error.Message);
        Assert.Contains("not retried", error.Message);
        Assert.DoesNotContain(logs.Entries, e => e.Level == LogLevel.Warning);
    }
}

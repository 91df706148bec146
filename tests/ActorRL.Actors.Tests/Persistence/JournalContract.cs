using ActorRL.Actors.Persistence;

namespace ActorRL.Actors.Tests.Persistence;

/// <summary>
/// What every journal and snapshot store provider must do. Concrete classes open the provider; the same tests run
/// against each (SQLite and a real PostgreSQL). Persistence ids are unique per test so tests can share a database.
/// </summary>
public abstract class JournalContract : IAsyncLifetime
{
    private SqlPersistence? store;

    /// <summary>A short policy so a broken provider fails fast instead of retrying for seconds.</summary>
    protected static RetryPolicy TestRetry { get; } = new() { Attempts = 3, FirstDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(200) };

    protected IJournal Journal => store!.Journal;

    protected ISnapshotStore Snapshots => store!.SnapshotStore;

    /// <summary>Opens another handle (its own connection pool) on the database under test.</summary>
    protected abstract SqlPersistence Open();

    public virtual Task InitializeAsync()
    {
        store = Open();
        return Task.CompletedTask;
    }

    public virtual async Task DisposeAsync()
    {
        if (store is not null) await store.DisposeAsync();
    }

    protected static string NewId(string name = "pid") => $"{name}-{Guid.NewGuid():N}";

    private static readonly DateTimeOffset T0 = new(2024, 5, 6, 7, 8, 9, TimeSpan.Zero);

    protected static PersistentRepr Event(string id, long seq, string text = "") =>
        new(id, seq, "test.Event", System.Text.Encoding.UTF8.GetBytes($"{id}#{seq}{text}"), T0.AddSeconds(seq));

    protected static PersistentRepr[] Events(string id, long from, long to, string text = "") =>
        [.. Enumerable.Range((int)from, (int)(to - from + 1)).Select(s => Event(id, s, text))];

    private static long[] Seqs(IEnumerable<PersistentRepr> events) => [.. events.Select(e => e.SequenceNr)];

    [Fact]
    public async Task WrittenEventsReadBackInOrderWithAllFields()
    {
        string id = NewId();
        await Journal.WriteAsync(Events(id, 1, 3));
        await Journal.WriteAsync(Events(id, 4, 5));

        IReadOnlyList<PersistentRepr> all = await Journal.ReadAsync(id, 1, long.MaxValue);

        Assert.Equal(new[] { 1L, 2, 3, 4, 5 }, Seqs(all));
        Assert.Equal(Events(id, 1, 5), all, new ReprComparer());
    }

    [Fact]
    public async Task ReadsReturnTheInclusiveRangeOnly()
    {
        string id = NewId();
        await Journal.WriteAsync(Events(id, 1, 10));

        Assert.Equal(new[] { 3L, 4, 5, 6 }, Seqs(await Journal.ReadAsync(id, 3, 6)));
        Assert.Equal(new[] { 10L }, Seqs(await Journal.ReadAsync(id, 10, 20)));
        Assert.Empty(await Journal.ReadAsync(id, 11, 20));
        Assert.Empty(await Journal.ReadAsync(id, 6, 3));
        Assert.Empty(await Journal.ReadAsync(NewId("unknown"), 1, long.MaxValue));
    }

    [Fact]
    public async Task HighestSequenceNumberIsZeroForANewIdAndTheLastWrittenOtherwise()
    {
        string id = NewId();
        Assert.Equal(0, await Journal.HighestSequenceNrAsync(id));

        await Journal.WriteAsync(Events(id, 1, 4));

        Assert.Equal(4, await Journal.HighestSequenceNrAsync(id));
    }

    [Fact]
    public async Task ADuplicateSequenceNumberIsAConcurrencyErrorAndNothingOfTheBatchIsWritten()
    {
        string id = NewId();
        await Journal.WriteAsync(Events(id, 1, 3));

        // 4 and 5 are new, 3 collides: the whole batch must be rejected.
        var error = await Assert.ThrowsAsync<JournalConcurrencyException>(() => Journal.WriteAsync(Events(id, 3, 5, "-late")));

        Assert.Contains(id, error.Message);
        Assert.Contains("event 3 ", error.Message);
        Assert.Equal(new[] { 1L, 2, 3 }, Seqs(await Journal.ReadAsync(id, 1, long.MaxValue)));
        Assert.Equal(Event(id, 3).Payload, (await Journal.ReadAsync(id, 3, 3))[0].Payload);
        Assert.Equal(3, await Journal.HighestSequenceNrAsync(id));
    }

    [Fact]
    public async Task ABatchSpanningIdsIsAllOrNothing()
    {
        string a = NewId("a"), b = NewId("b");
        await Journal.WriteAsync([Event(b, 1)]);

        await Assert.ThrowsAsync<JournalConcurrencyException>(() => Journal.WriteAsync([Event(a, 1), Event(a, 2), Event(b, 1, "-again")]));

        Assert.Empty(await Journal.ReadAsync(a, 1, long.MaxValue));
        Assert.Equal(0, await Journal.HighestSequenceNrAsync(a));
    }

    [Fact]
    public async Task DeletingHidesEventsUpToTheBoundButTheHighestSequenceNumberStays()
    {
        string id = NewId();
        await Journal.WriteAsync(Events(id, 1, 5));

        await Journal.DeleteToAsync(id, 3);
        Assert.Equal(new[] { 4L, 5 }, Seqs(await Journal.ReadAsync(id, 1, long.MaxValue)));
        Assert.Equal(5, await Journal.HighestSequenceNrAsync(id));

        await Journal.DeleteToAsync(id, long.MaxValue);
        Assert.Empty(await Journal.ReadAsync(id, 1, long.MaxValue));
        Assert.Equal(5, await Journal.HighestSequenceNrAsync(id));

        // A deleted sequence number stays taken; the next one is free.
        await Assert.ThrowsAsync<JournalConcurrencyException>(() => Journal.WriteAsync([Event(id, 5, "-reused")]));
        await Journal.WriteAsync([Event(id, 6)]);
        Assert.Equal(new[] { 6L }, Seqs(await Journal.ReadAsync(id, 1, long.MaxValue)));
        Assert.Equal(6, await Journal.HighestSequenceNrAsync(id));
    }

    [Fact]
    public async Task DeletingBeyondWhatExistsOrAnUnknownIdChangesNothingElse()
    {
        string id = NewId();
        await Journal.WriteAsync(Events(id, 1, 2));

        await Journal.DeleteToAsync(NewId("other"), 100);
        await Journal.DeleteToAsync(id, 0);

        Assert.Equal(new[] { 1L, 2 }, Seqs(await Journal.ReadAsync(id, 1, long.MaxValue)));
    }

    [Fact]
    public async Task PersistenceIdsAreIndependent()
    {
        string a = NewId("a"), b = NewId("b");
        await Journal.WriteAsync(Events(a, 1, 3));
        await Journal.WriteAsync(Events(b, 1, 2));
        await Journal.DeleteToAsync(a, 3);
        await Snapshots.SaveAsync(new SnapshotRecord(a, 3, "test.State", [1, 2, 3], T0));

        Assert.Equal(new[] { 1L, 2 }, Seqs(await Journal.ReadAsync(b, 1, long.MaxValue)));
        Assert.Equal(3, await Journal.HighestSequenceNrAsync(a));
        Assert.Equal(2, await Journal.HighestSequenceNrAsync(b));
        Assert.Null(await Snapshots.LoadLatestAsync(b));
    }

    [Fact]
    public async Task PayloadBytesRoundTripExactly()
    {
        string id = NewId();
        byte[] allBytes = [.. Enumerable.Range(0, 256).Select(i => (byte)i)];
        byte[] large = new byte[1 << 20];
        new Random(42).NextBytes(large);
        PersistentRepr[] events =
        [
            new(id, 1, "test.Empty", [], T0),
            new(id, 2, "test.AllBytes", allBytes, T0),
            new(id, 3, "test.Large", large, T0),
            new(id, 4, "tëst.Ünïcode/🙂", [0, 0, 0], T0),
        ];

        await Journal.WriteAsync(events);
        await Snapshots.SaveAsync(new SnapshotRecord(id, 3, "test.Large", large, T0));

        IReadOnlyList<PersistentRepr> back = await Journal.ReadAsync(id, 1, 4);
        Assert.Equal(events, back, new ReprComparer());
        Assert.Equal(large, (await Snapshots.LoadLatestAsync(id))!.Payload);
    }

    [Fact]
    public async Task TimestampsRoundTripToTheMicrosecondInUtc()
    {
        string id = NewId();
        var written = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)).AddTicks(1234567);
        await Journal.WriteAsync([new PersistentRepr(id, 1, "m", [1], written)]);

        DateTimeOffset back = (await Journal.ReadAsync(id, 1, 1))[0].Timestamp;

        Assert.Equal(TimeSpan.Zero, back.Offset);
        Assert.Equal(new DateTimeOffset(2025, 1, 2, 1, 4, 5, TimeSpan.Zero).AddTicks(1234560), back);
    }

    [Fact]
    public async Task ConcurrentWritersOfTheSameIdExactlyOneWins()
    {
        await using SqlPersistence other = Open();
        for (int round = 0; round < 5; round++)
        {
            string id = NewId();
            using var go = new ManualResetEventSlim();
            Task<bool> Writer(IJournal journal, string who) => Task.Run(async () =>
            {
                go.Wait();
                try
                {
                    await journal.WriteAsync(Events(id, 1, 3, who));
                    return true;
                }
                catch (JournalConcurrencyException)
                {
                    return false;
                }
            });

            Task<bool> first = Writer(Journal, "-first"), second = Writer(other.Journal, "-second");
            go.Set();
            bool[] won = await Task.WhenAll(first, second);

            Assert.Equal(1, won.Count(w => w));
            string winner = won[0] ? "-first" : "-second";
            Assert.Equal(Events(id, 1, 3, winner), await Journal.ReadAsync(id, 1, long.MaxValue), new ReprComparer());
        }
    }

    [Fact]
    public async Task ASecondHandleSeesWhatTheFirstCommitted()
    {
        string id = NewId();
        await Journal.WriteAsync(Events(id, 1, 2));
        await Snapshots.SaveAsync(new SnapshotRecord(id, 2, "test.State", [9], T0));

        await using SqlPersistence reopened = Open();

        Assert.Equal(new[] { 1L, 2 }, Seqs(await reopened.Journal.ReadAsync(id, 1, long.MaxValue)));
        Assert.Equal([9], (await reopened.SnapshotStore.LoadLatestAsync(id))!.Payload);
    }

    [Fact]
    public async Task SnapshotStoreReturnsNullWhenThereIsNone()
    {
        Assert.Null(await Snapshots.LoadLatestAsync(NewId()));
    }

    [Fact]
    public async Task SnapshotLatestIsTheOneWithTheHighestSequenceNumber()
    {
        string id = NewId();
        await Snapshots.SaveAsync(new SnapshotRecord(id, 10, "test.State", [10], T0.AddSeconds(10)));
        await Snapshots.SaveAsync(new SnapshotRecord(id, 30, "test.State", [30], T0.AddSeconds(30)));
        await Snapshots.SaveAsync(new SnapshotRecord(id, 20, "test.State", [20], T0.AddSeconds(20)));

        SnapshotRecord latest = (await Snapshots.LoadLatestAsync(id))!;

        Assert.Equal(new SnapshotRecord(id, 30, "test.State", [30], T0.AddSeconds(30)), latest, new SnapshotComparer());
    }

    [Fact]
    public async Task ASnapshotAtTheSameSequenceNumberReplacesTheOldOne()
    {
        string id = NewId();
        await Snapshots.SaveAsync(new SnapshotRecord(id, 5, "test.Old", [1], T0));
        await Snapshots.SaveAsync(new SnapshotRecord(id, 5, "test.New", [2, 2], T0.AddSeconds(1)));

        Assert.Equal(new SnapshotRecord(id, 5, "test.New", [2, 2], T0.AddSeconds(1)), await Snapshots.LoadLatestAsync(id), new SnapshotComparer());
    }

    [Fact]
    public async Task DeletingSnapshotsUpToABoundKeepsTheLaterOnes()
    {
        string id = NewId();
        foreach (long seq in new long[] { 1, 2, 3 })
            await Snapshots.SaveAsync(new SnapshotRecord(id, seq, "test.State", [(byte)seq], T0));

        await Snapshots.DeleteToAsync(id, 2);
        Assert.Equal(3, (await Snapshots.LoadLatestAsync(id))!.SequenceNr);

        await Snapshots.DeleteToAsync(id, 3);
        Assert.Null(await Snapshots.LoadLatestAsync(id));
    }

    /// <summary>Value equality for stored events (records compare byte arrays by reference).</summary>
    protected sealed class ReprComparer : IEqualityComparer<PersistentRepr>
    {
        public bool Equals(PersistentRepr? x, PersistentRepr? y) =>
            x is not null && y is not null && x.PersistenceId == y.PersistenceId && x.SequenceNr == y.SequenceNr
            && x.Manifest == y.Manifest && x.Payload.AsSpan().SequenceEqual(y.Payload) && x.Timestamp == y.Timestamp;

        public int GetHashCode(PersistentRepr obj) => HashCode.Combine(obj.PersistenceId, obj.SequenceNr);
    }

    /// <summary>Value equality for snapshots.</summary>
    protected sealed class SnapshotComparer : IEqualityComparer<SnapshotRecord?>
    {
        public bool Equals(SnapshotRecord? x, SnapshotRecord? y) =>
            x is not null && y is not null && x.PersistenceId == y.PersistenceId && x.SequenceNr == y.SequenceNr
            && x.Manifest == y.Manifest && x.Payload.AsSpan().SequenceEqual(y.Payload) && x.Timestamp == y.Timestamp;

        public int GetHashCode(SnapshotRecord? obj) => HashCode.Combine(obj?.PersistenceId, obj?.SequenceNr);
    }
}

/// <summary>The journal contract on SQLite: a fresh database file per test.</summary>
public sealed class SqliteJournalTests : JournalContract
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), $"actorrl-sqlite-{Guid.NewGuid():N}");

    protected override SqlPersistence Open() => SqlPersistence.OpenSqlite(Path.Combine(dir, "journal.db"), TestRetry);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public async Task TheDatabaseIsAWalModeFileAtTheGivenPathWithTheSharedSchema()
    {
        await Journal.WriteAsync([Event(NewId(), 1)]);
        string path = Path.Combine(dir, "journal.db");
        Assert.True(File.Exists(path));

        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
        command.CommandText = "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name)";
        Assert.Equal("journal,journal_highest,snapshots", (string?)await command.ExecuteScalarAsync());
    }
}

/// <summary>The journal contract on a real PostgreSQL server started for this class.</summary>
public sealed class PostgresJournalTests(PostgresServer server) : JournalContract, IClassFixture<PostgresServer>
{
    protected override SqlPersistence Open() => SqlPersistence.OpenPostgres(server.ConnectionString, TestRetry);
}

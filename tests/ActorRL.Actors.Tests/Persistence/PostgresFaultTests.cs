using ActorRL.Actors.Persistence;
using Microsoft.Extensions.Logging;

namespace ActorRL.Actors.Tests.Persistence;

/// <summary>The PostgreSQL server goes down: writes retry, fail with an error naming host:port, and lose nothing committed.</summary>
public sealed class PostgresFaultTests(PostgresServer server) : IClassFixture<PostgresServer>, IDisposable
{
    private readonly InMemoryLoggerProvider logs = new();
    private ILoggerFactory? loggerFactory;

    public void Dispose() => loggerFactory?.Dispose();

    private SqlPersistence Open(RetryPolicy retry) =>
        SqlPersistence.OpenPostgres(server.ConnectionString, retry, (loggerFactory ??= LoggerFactory.Create(b => b.AddProvider(logs))).CreateLogger("journal"));

    private static PersistentRepr Event(string id, long seq) => new(id, seq, "test.Event", [(byte)seq, 0xFF], DateTimeOffset.UnixEpoch);

    [Fact]
    public async Task WhileTheServerIsDownWritesFailNamingHostAndPortAndAfterARestartNothingCommittedIsLost()
    {
        string id = $"down-{Guid.NewGuid():N}";
        await using SqlPersistence store = Open(new RetryPolicy { Attempts = 3, FirstDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(100) });
        await store.Journal.WriteAsync([Event(id, 1), Event(id, 2), Event(id, 3)]);
        await store.SnapshotStore.SaveAsync(new SnapshotRecord(id, 2, "test.State", [42], DateTimeOffset.UnixEpoch));

        await server.StopAsync();
        try
        {
            var error = await Assert.ThrowsAsync<JournalUnavailableException>(() => store.Journal.WriteAsync([Event(id, 4)]));
            Assert.Contains($"PostgreSQL 127.0.0.1:{server.Port}/postgres", error.Message);
            Assert.Contains("after 3 attempt(s)", error.Message);
            Assert.DoesNotContain("not-a-secret", error.Message);
            await Assert.ThrowsAsync<JournalUnavailableException>(() => store.SnapshotStore.LoadLatestAsync(id));
            Assert.Equal(4, logs.Entries.Count(e => e.Level == LogLevel.Warning));
            Assert.All(logs.Entries, e => Assert.DoesNotContain("not-a-secret", e.Message));
        }
        finally
        {
            await server.StartAsync();
        }

        // The same store (its pool held connections to the old server process) reads everything committed before.
        Assert.Equal(new[] { 1L, 2, 3 }, (await store.Journal.ReadAsync(id, 1, long.MaxValue)).Select(e => e.SequenceNr));
        Assert.Equal(3, await store.Journal.HighestSequenceNrAsync(id));
        Assert.Equal([42], (await store.SnapshotStore.LoadLatestAsync(id))!.Payload);
        await store.Journal.WriteAsync([Event(id, 4)]);
        Assert.Equal(4, await store.Journal.HighestSequenceNrAsync(id));
    }

    [Fact]
    public async Task AWriteRetriesThroughAShortOutageAndSucceeds()
    {
        string id = $"outage-{Guid.NewGuid():N}";
        await using SqlPersistence store = Open(new RetryPolicy { Attempts = 30, FirstDelay = TimeSpan.FromMilliseconds(50), MaxDelay = TimeSpan.FromMilliseconds(500) });
        await store.Journal.WriteAsync([Event(id, 1)]);

        await server.StopAsync();
        Task write;
        try
        {
            write = store.Journal.WriteAsync([Event(id, 2)]);
            await Eventually.True(() => logs.Entries.Any(e => e.Level == LogLevel.Warning), "a logged retry", TimeSpan.FromSeconds(20));
            Assert.False(write.IsCompleted);
        }
        finally
        {
            await server.StartAsync();
        }
        await write;

        Assert.Equal(new[] { 1L, 2 }, (await store.Journal.ReadAsync(id, 1, long.MaxValue)).Select(e => e.SequenceNr));
        Assert.Contains($"127.0.0.1:{server.Port}", logs.Entries.First(e => e.Level == LogLevel.Warning).Message);
    }
}

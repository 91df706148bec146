using System.Collections.Concurrent;
using ActorRL.Actors.Persistence;
using ActorRL.Actors.Tests.Persistence.Events;
using Google.Protobuf;

namespace ActorRL.Actors.Tests.Persistence;

public class PersistentActorTests
{
    private static readonly TimeSpan Timeout = TestProbe.DefaultTimeout;

    private sealed record Add(long Value);

    private sealed record AddMany(long[] Values);

    private sealed record GetState;

    private sealed record State(long Total, long Count, long LastSequenceNr);

    private sealed record TakeSnapshot;

    private sealed record Crash;

    /// <summary>
    /// Sums the values added to it. Writes what it does to <c>log</c> (shared by its incarnations), replies to each
    /// persisted Add with the new total, and reports the stores' replies to <c>report</c>.
    /// </summary>
    private sealed class Counter : PersistentActor
    {
        private readonly string id;
        private long total;
        private long count;

        public Counter(string id, ConcurrentQueue<string> log, IActorRef? report = null, bool deleteAfterSnapshot = false)
        {
            this.id = id;
            log.Enqueue("ctor");
            Recover<SnapshotOffer>(o =>
            {
                var s = (CounterState)o.Snapshot;
                (total, count) = (s.Total, s.Count);
                log.Enqueue($"snapshot@{o.Metadata.SequenceNr} total={total}");
            });
            Recover<Added>(e =>
            {
                Apply(e);
                log.Enqueue($"replay@{LastSequenceNr} value={e.Value}");
            });
            Recover<RecoveryCompleted>(_ => log.Enqueue($"recovered@{LastSequenceNr} total={total}"));

            Command<Add>(c =>
            {
                log.Enqueue($"command add {c.Value}");
                Persist(new Added { Value = c.Value }, e =>
                {
                    Apply(e);
                    log.Enqueue($"persisted@{LastSequenceNr} total={total}");
                    Sender.Tell(total);
                });
            });
            Command<AddMany>(c => PersistAll(c.Values.Select(v => new Added { Value = v }), e =>
            {
                Apply(e);
                Sender.Tell($"{LastSequenceNr}:{total}");
            }));
            Command<GetState>(_ =>
            {
                log.Enqueue($"get total={total}");
                Sender.Tell(new State(total, count, LastSequenceNr));
            });
            Command<TakeSnapshot>(_ => SaveSnapshot(new CounterState { Total = total, Count = count }));
            Command<SaveSnapshotSuccess>(s =>
            {
                report?.Tell(s);
                if (deleteAfterSnapshot) DeleteMessages(s.Metadata.SequenceNr);
            });
            Command<DeleteMessagesSuccess>(d => report?.Tell(d));
            Command<Crash>(_ => throw new InvalidOperationException("crash"));
        }

        public override string PersistenceId => id;

        private void Apply(Added e)
        {
            total += e.Value;
            count++;
        }
    }

    private static ProtobufEventSerializer NewSerializer() =>
        new ProtobufEventSerializer().Register<Added>("test.added").Register<CounterState>("test.counter-state");

    private static (ActorSystem System, MemoryJournal Journal, MemorySnapshotStore Snapshots) Start(string name, ActorSystemOptions? options = null)
    {
        var system = ActorSystem.Create(name, options);
        var journal = new MemoryJournal();
        var snapshots = new MemorySnapshotStore();
        PersistenceRegistry.Register(system, new PersistenceSettings(journal, snapshots, NewSerializer()));
        return (system, journal, snapshots);
    }

    private static Props CounterProps(string id, ConcurrentQueue<string> log, IActorRef? report = null, bool deleteAfterSnapshot = false) =>
        Props.Create(() => new Counter(id, log, report, deleteAfterSnapshot));

    private static PersistentRepr Event(string id, long sequenceNr, string manifest, IMessage payload) =>
        new(id, sequenceNr, manifest, payload.ToByteArray(), DateTimeOffset.UtcNow);

    private static Task Seed(MemoryJournal journal, string id, params long[] values) =>
        journal.WriteAsync([.. values.Select((v, i) => Event(id, i + 1, "test.added", new Added { Value = v }))]);

    private static async Task StopAsync(ActorSystem system, IActorRef actor)
    {
        var watcher = new TestProbe(system);
        await watcher.WatchAsync(actor);
        system.Stop(actor);
        await watcher.ExpectTerminatedAsync(actor);
    }

    /// <summary>The log entries written since the last incarnation was constructed.</summary>
    private static List<string> SinceLastCtor(ConcurrentQueue<string> log)
    {
        List<string> all = [.. log];
        return all[(all.LastIndexOf("ctor") + 1)..];
    }

    [Fact]
    public async Task AnActorRecoversFromTheSqliteJournalInANewActorSystemOnTheSameFile()
    {
        string dir = Directory.CreateTempSubdirectory("actorrl-persist-").FullName;
        string file = Path.Combine(dir, "journal.db");
        var log = new ConcurrentQueue<string>();
        try
        {
            await using (SqlPersistence stores = SqlPersistence.OpenSqlite(file))
            await using (var system = ActorSystem.Create("sqlite-first"))
            {
                PersistenceRegistry.Register(system, new PersistenceSettings(stores.Journal, stores.SnapshotStore, NewSerializer()));
                var probe = new TestProbe(system);
                var counter = system.ActorOf(CounterProps("c-sqlite", log, probe.Ref), "counter");
                foreach (long v in new long[] { 2, 3 }) counter.Tell(new Add(v), probe.Ref);
                foreach (long expected in new long[] { 2, 5 }) await probe.ExpectMsgAsync(expected);
                counter.Tell(new TakeSnapshot(), probe.Ref);
                await probe.ExpectMsgAsync<SaveSnapshotSuccess>();
                counter.Tell(new Add(10), probe.Ref);
                await probe.ExpectMsgAsync(15L);
            }

            // Another system and another connection: only what reached the file counts.
            await using (SqlPersistence stores = SqlPersistence.OpenSqlite(file))
            await using (var system = ActorSystem.Create("sqlite-second"))
            {
                PersistenceRegistry.Register(system, new PersistenceSettings(stores.Journal, stores.SnapshotStore, NewSerializer()));
                var counter = system.ActorOf(CounterProps("c-sqlite", log), "counter");
                Assert.Equal(new State(15, 3, 3), await counter.Ask<State>(new GetState(), Timeout));
                Assert.Equal(["snapshot@2 total=5", "replay@3 value=10", "recovered@3 total=15", "get total=15"], SinceLastCtor(log));
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task ANewIncarnationRecoversTheExactTotal()
    {
        var (system, journal, _) = Start("recover-total");
        await using var _system = system;
        var probe = new TestProbe(system);
        var log = new ConcurrentQueue<string>();
        var first = system.ActorOf(CounterProps("c-total", log), "first");
        foreach (long v in new long[] { 5, 7, 11 }) first.Tell(new Add(v), probe.Ref);
        foreach (long expected in new long[] { 5, 12, 23 }) await probe.ExpectMsgAsync(expected);
        await StopAsync(system, first);

        var second = system.ActorOf(CounterProps("c-total", log), "second");
        Assert.Equal(new State(23, 3, 3), await second.Ask<State>(new GetState(), Timeout));
        Assert.Equal(["replay@1 value=5", "replay@2 value=7", "replay@3 value=11", "recovered@3 total=23", "get total=23"], SinceLastCtor(log));

        // New events continue the sequence.
        second.Tell(new Add(1), probe.Ref);
        await probe.ExpectMsgAsync(24L);
        Assert.Equal([1L, 2, 3, 4], journal.Stored("c-total"));
    }

    [Fact]
    public async Task RecoveryStartsFromTheSnapshotAndReplaysOnlyTheEventsAfterIt()
    {
        var (system, journal, snapshots) = Start("recover-snapshot");
        await using var _system = system;
        var probe = new TestProbe(system);
        var log = new ConcurrentQueue<string>();
        var first = system.ActorOf(CounterProps("c-snap", log, probe.Ref), "first");
        foreach (long v in new long[] { 1, 2, 3 }) first.Tell(new Add(v), probe.Ref);
        foreach (long expected in new long[] { 1, 3, 6 }) await probe.ExpectMsgAsync(expected);
        first.Tell(new TakeSnapshot());
        Assert.Equal(3, (await probe.ExpectMsgAsync<SaveSnapshotSuccess>()).Metadata.SequenceNr);
        first.Tell(new Add(4), probe.Ref);
        first.Tell(new Add(5), probe.Ref);
        await probe.ExpectMsgAsync(10L);
        await probe.ExpectMsgAsync(15L);
        await StopAsync(system, first);
        Assert.Equal([3L], snapshots.Stored("c-snap"));

        var second = system.ActorOf(CounterProps("c-snap", log), "second");
        Assert.Equal(new State(15, 5, 5), await second.Ask<State>(new GetState(), Timeout));
        Assert.Equal(["snapshot@3 total=6", "replay@4 value=4", "replay@5 value=5", "recovered@5 total=15", "get total=15"], SinceLastCtor(log));
        Assert.Equal(("c-snap", 4L, 5L), journal.Reads[^1]);
    }

    [Fact]
    public async Task CommandsSentDuringRecoveryAreHandledAfterItInArrivalOrder()
    {
        var (system, journal, _) = Start("recovery-stash");
        await using var _system = system;
        await Seed(journal, "c-stash", 1, 2, 3);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        journal.ReadGate = () => gate.Task;
        var probe = new TestProbe(system);
        var log = new ConcurrentQueue<string>();

        var counter = system.ActorOf(CounterProps("c-stash", log), "counter");
        counter.Tell(new Add(10), probe.Ref);
        counter.Tell(new GetState(), probe.Ref);
        counter.Tell(new Add(20), probe.Ref);
        await probe.ExpectNoMsgAsync();
        Assert.Equal(["ctor"], log);
        gate.SetResult();

        await probe.ExpectMsgAsync(16L);
        await probe.ExpectMsgAsync(new State(16, 4, 4));
        await probe.ExpectMsgAsync(36L);
        Assert.Equal(
            ["replay@1 value=1", "replay@2 value=2", "replay@3 value=3", "recovered@3 total=6",
             "command add 10", "persisted@4 total=16", "get total=16", "command add 20", "persisted@5 total=36"],
            SinceLastCtor(log));
    }

    [Fact]
    public async Task PersistHandlersRunAfterTheWriteAndBeforeTheNextCommand()
    {
        var (system, journal, _) = Start("persist-order");
        await using var _system = system;
        var probe = new TestProbe(system);
        var log = new ConcurrentQueue<string>();
        var counter = system.ActorOf(CounterProps("c-order", log), "counter");
        Assert.Equal(new State(0, 0, 0), await counter.Ask<State>(new GetState(), Timeout));

        var writing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        journal.WriteGate = () =>
        {
            writing.TrySetResult();
            return release.Task;
        };
        counter.Tell(new Add(7), probe.Ref);
        await writing.Task.WaitAsync(Timeout);
        Task<State> state = counter.Ask<State>(new GetState(), Timeout);
        await probe.ExpectNoMsgAsync();

        // The write is in flight: nothing stored, the handler has not run, the next command waits.
        Assert.Empty(journal.Stored("c-order"));
        Assert.False(state.IsCompleted);
        Assert.Equal("command add 7", log.Last());

        release.SetResult();
        await probe.ExpectMsgAsync(7L);
        Assert.Equal(new State(7, 1, 1), await state);
        Assert.Equal(["command add 7", "persisted@1 total=7", "get total=7"], SinceLastCtor(log)[^3..]);
    }

    [Fact]
    public async Task PersistAllWritesOneAtomicBatchThenRunsTheHandlersInOrder()
    {
        var (system, journal, _) = Start("persist-all");
        await using var _system = system;
        var probe = new TestProbe(system);
        var counter = system.ActorOf(CounterProps("c-all", new ConcurrentQueue<string>()), "counter");

        counter.Tell(new AddMany([1, 2, 3]), probe.Ref);
        foreach (string expected in new[] { "1:1", "2:3", "3:6" }) await probe.ExpectMsgAsync(expected);
        counter.Tell(new Add(4), probe.Ref);
        await probe.ExpectMsgAsync(10L);

        IReadOnlyList<IReadOnlyList<PersistentRepr>> batches = journal.Batches;
        Assert.Equal(2, batches.Count);
        Assert.Equal([1L, 2, 3], batches[0].Select(e => e.SequenceNr));
        Assert.Equal([1L, 2, 3], batches[0].Select(e => Added.Parser.ParseFrom(e.Payload).Value));
        Assert.All(batches[0], e => Assert.Equal("test.added", e.Manifest));
        Assert.Equal([4L], batches[1].Select(e => e.SequenceNr));
    }

    [Fact]
    public async Task AFailedWriteAppliesNothingAndTheRestartedActorRecoversWhatWasWritten()
    {
        var (system, journal, _) = Start("write-failure");
        await using var _system = system;
        var probe = new TestProbe(system);
        var log = new ConcurrentQueue<string>();
        var counter = system.ActorOf(CounterProps("c-fail", log), "counter");
        counter.Tell(new Add(2), probe.Ref);
        await probe.ExpectMsgAsync(2L);

        journal.FailNextWrite(new JournalUnavailableException("disk gone"));
        counter.Tell(new AddMany([5, 6]), probe.Ref);
        Assert.Equal(new State(2, 1, 1), await counter.Ask<State>(new GetState(), Timeout));
        await probe.ExpectNoMsgAsync();
        Assert.Equal([1L], journal.Stored("c-fail"));
        Assert.Equal(2, log.Count(e => e == "ctor"));

        // Sequence numbers were not used up by the failed batch.
        counter.Tell(new Add(3), probe.Ref);
        await probe.ExpectMsgAsync(5L);
        Assert.Equal([1L, 2], journal.Stored("c-fail"));
    }

    [Fact]
    public async Task AConcurrentWriterMakesThePersistFailAndTheRestartRecoversItsEvent()
    {
        var (system, journal, _) = Start("write-conflict");
        await using var _system = system;
        var probe = new TestProbe(system);
        var counter = system.ActorOf(CounterProps("c-conflict", new ConcurrentQueue<string>()), "counter");
        counter.Tell(new Add(2), probe.Ref);
        await probe.ExpectMsgAsync(2L);

        await journal.WriteAsync([Event("c-conflict", 2, "test.added", new Added { Value = 100 })]);
        counter.Tell(new Add(5), probe.Ref);
        Assert.Equal(new State(102, 2, 2), await counter.Ask<State>(new GetState(), Timeout));
        await probe.ExpectNoMsgAsync();
        Assert.Equal(100, Added.Parser.ParseFrom(journal.Batches[^1][0].Payload).Value);
    }

    [Fact]
    public async Task DeletedEventsAreCoveredByTheSnapshotAndSequenceNumbersAreNotReused()
    {
        var (system, journal, _) = Start("delete");
        await using var _system = system;
        var probe = new TestProbe(system);
        var log = new ConcurrentQueue<string>();
        var first = system.ActorOf(CounterProps("c-del", log, probe.Ref, deleteAfterSnapshot: true), "first");
        foreach (long v in new long[] { 1, 2, 3, 4 }) first.Tell(new Add(v), probe.Ref);
        foreach (long expected in new long[] { 1, 3, 6, 10 }) await probe.ExpectMsgAsync(expected);
        first.Tell(new TakeSnapshot());
        Assert.Equal(4, (await probe.ExpectMsgAsync<SaveSnapshotSuccess>()).Metadata.SequenceNr);
        Assert.Equal(new DeleteMessagesSuccess(4), await probe.ExpectMsgAsync<DeleteMessagesSuccess>());
        Assert.Empty(journal.Stored("c-del"));

        first.Tell(new Add(5), probe.Ref);
        await probe.ExpectMsgAsync(15L);
        Assert.Equal([5L], journal.Stored("c-del"));
        await StopAsync(system, first);

        var second = system.ActorOf(CounterProps("c-del", log), "second");
        Assert.Equal(new State(15, 5, 5), await second.Ask<State>(new GetState(), Timeout));
        Assert.Equal(["snapshot@4 total=10", "replay@5 value=5", "recovered@5 total=15", "get total=15"], SinceLastCtor(log));
    }

    [Fact]
    public async Task AfterDeletingAllEventsWithoutASnapshotNewEventsContinueTheSequence()
    {
        var (system, journal, _) = Start("delete-all");
        await using var _system = system;
        await Seed(journal, "c-empty", 1, 2);
        await journal.DeleteToAsync("c-empty", 2);
        var probe = new TestProbe(system);
        var counter = system.ActorOf(CounterProps("c-empty", new ConcurrentQueue<string>()), "counter");

        Assert.Equal(new State(0, 0, 2), await counter.Ask<State>(new GetState(), Timeout));
        counter.Tell(new Add(9), probe.Ref);
        await probe.ExpectMsgAsync(9L);
        Assert.Equal([3L], journal.Stored("c-empty"));
    }

    [Fact]
    public async Task ARestartBySupervisionRecoversTheStateAgain()
    {
        var (system, _, _) = Start("restart");
        await using var _system = system;
        var probe = new TestProbe(system);
        var log = new ConcurrentQueue<string>();
        var counter = system.ActorOf(CounterProps("c-restart", log), "counter");
        foreach (long v in new long[] { 1, 2, 3 }) counter.Tell(new Add(v), probe.Ref);
        foreach (long expected in new long[] { 1, 3, 6 }) await probe.ExpectMsgAsync(expected);

        counter.Tell(new Crash());
        Assert.Equal(new State(6, 3, 3), await counter.Ask<State>(new GetState(), Timeout));
        Assert.Equal(["replay@1 value=1", "replay@2 value=2", "replay@3 value=3", "recovered@3 total=6", "get total=6"], SinceLastCtor(log));
        Assert.Equal(2, log.Count(e => e == "ctor"));
    }

    [Fact]
    public async Task AnUnknownManifestFailsRecoveryNamingTheIdAndSequenceNumber()
    {
        var failure = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        var (system, journal, _) = Start("recovery-failure", new ActorSystemOptions
        {
            GuardianStrategy = new OneForOneStrategy(e =>
            {
                failure.TrySetResult(e);
                return Directive.Stop;
            }),
        });
        await using var _system = system;
        await journal.WriteAsync([
            Event("c-bad", 1, "test.added", new Added { Value = 1 }),
            Event("c-bad", 2, "test.removed", new Added { Value = 2 })]);

        var counter = system.ActorOf(CounterProps("c-bad", new ConcurrentQueue<string>()), "counter");
        var e = Assert.IsType<RecoveryFailedException>(await failure.Task.WaitAsync(Timeout));
        Assert.Equal("c-bad", e.PersistenceId);
        Assert.Equal(2, e.SequenceNr);
        Assert.Contains("'c-bad'", e.Message);
        Assert.Contains("sequence number 2", e.Message);
        Assert.Contains("'test.removed'", Assert.IsType<ArgumentException>(e.InnerException).Message);
    }

    [Fact]
    public async Task WithoutRegisteredPersistenceRecoveryFailsWithAClearError()
    {
        var failure = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var system = ActorSystem.Create("no-persistence", new ActorSystemOptions
        {
            GuardianStrategy = new OneForOneStrategy(e =>
            {
                failure.TrySetResult(e);
                return Directive.Stop;
            }),
        });
        system.ActorOf(CounterProps("c-none", new ConcurrentQueue<string>()), "counter");
        var e = Assert.IsType<RecoveryFailedException>(await failure.Task.WaitAsync(Timeout));
        Assert.Contains("PersistenceRegistry.Register", e.InnerException!.Message);
        Assert.Throws<InvalidOperationException>(() => PersistenceRegistry.For(system));
    }

    [Fact]
    public void TheSerializerRoundTripsRegisteredMessages()
    {
        ProtobufEventSerializer serializer = NewSerializer();
        (string manifest, byte[] payload) = serializer.Serialize(new CounterState { Total = -12, Count = 3 });
        Assert.Equal("test.counter-state", manifest);
        Assert.Equal(new CounterState { Total = -12, Count = 3 }, serializer.Deserialize(manifest, payload));
        (manifest, payload) = serializer.Serialize(new Added { Value = 42 });
        Assert.Equal("test.added", manifest);
        Assert.Equal([0x08, 42], payload);
        Assert.Equal(new Added { Value = 42 }, serializer.Deserialize("test.added", payload));
    }

    [Fact]
    public void TheSerializerRejectsUnknownManifestsTypesDuplicatesAndBadPayloads()
    {
        ProtobufEventSerializer serializer = NewSerializer();
        Assert.Contains("'System.Added'", Assert.Throws<ArgumentException>(() => serializer.Deserialize("System.Added", [])).Message);
        Assert.Contains(typeof(State).FullName!, Assert.Throws<ArgumentException>(() => serializer.Serialize(new State(1, 1, 1))).Message);
        Assert.Contains("'test.added'", Assert.Throws<ArgumentException>(() => serializer.Register<CounterState>("test.added")).Message);
        Assert.Contains("'test.added'", Assert.Throws<ArgumentException>(() => serializer.Register<Added>("test.other")).Message);
        var bad = Assert.Throws<ArgumentException>(() => serializer.Deserialize("test.added", [0x08, 0xFF]));
        Assert.Contains("'test.added'", bad.Message);
        Assert.IsType<InvalidProtocolBufferException>(bad.InnerException);
    }
}

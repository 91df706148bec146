namespace ActorRL.Actors.Tests;

public class OrderingTests
{
    private static readonly TimeSpan Timeout = TestProbe.DefaultTimeout;

    private sealed record Numbered(int Sender, int Seq);

    private sealed record GetLog;

    /// <summary>Records every message in arrival order and answers <see cref="GetLog"/> with the record.</summary>
    private sealed class Recorder : ReceiveActor
    {
        private readonly List<Numbered> log = [];

        public Recorder()
        {
            Receive<Numbered>(log.Add);
            Receive<GetLog>(_ => Sender.Tell(log.ToArray()));
        }
    }

    [Fact]
    public async Task EachOfEightConcurrentSendersIsSeenInItsOwnOrder()
    {
        const int senders = 8;
        const int perSender = 20_000;
        await using var system = ActorSystem.Create("persender");
        var recorder = system.ActorOf(Props.Create<Recorder>(), "recorder");

        using var start = new Barrier(senders);
        await Task.WhenAll(Enumerable.Range(0, senders).Select(s => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            for (int i = 0; i < perSender; i++) recorder.Tell(new Numbered(s, i));
        }, TaskCreationOptions.LongRunning)));

        Numbered[] log = await recorder.Ask<Numbered[]>(new GetLog(), Timeout);
        Assert.Equal(senders * perSender, log.Length);
        var next = new int[senders];
        foreach (Numbered m in log)
        {
            Assert.Equal(next[m.Sender], m.Seq); // strictly increasing with no gap: complete and in order
            next[m.Sender]++;
        }
        Assert.All(next, n => Assert.Equal(perSender, n));
    }

    [Fact]
    public async Task OrderHoldsWhenTheActorYieldsAfterEveryMessage()
    {
        await using var system = ActorSystem.Create("yield", new ActorSystemOptions { Throughput = 1 });
        var recorder = system.ActorOf(Props.Create<Recorder>(), "recorder");

        for (int i = 0; i < 5_000; i++) recorder.Tell(new Numbered(0, i));

        Numbered[] log = await recorder.Ask<Numbered[]>(new GetLog(), Timeout);
        Assert.Equal(Enumerable.Range(0, 5_000), log.Select(m => m.Seq));
    }

    /// <summary>Awaits inside its handler and records entering and leaving, flagging any overlap.</summary>
    private sealed class Awaiter : ReceiveActor
    {
        private int inside;

        public Awaiter(Journal journal, IActorRef report)
        {
            ReceiveAsync<int>(async n =>
            {
                if (Interlocked.Increment(ref inside) != 1) journal.Add("overlap");
                journal.Add($"enter {n}");
                await Task.Delay(n % 3 == 0 ? 20 : 1);
                await Task.Yield();
                journal.Add($"exit {n}");
                Interlocked.Decrement(ref inside);
            });
            Receive<string>(s =>
            {
                if (Volatile.Read(ref inside) != 0) journal.Add("overlap");
                journal.Add(s);
                report.Tell(s);
            });
        }
    }

    [Fact]
    public async Task AsyncHandlersAreNeverInterleavedWithOtherMessages()
    {
        await using var system = ActorSystem.Create("async");
        var probe = new TestProbe(system);
        var journal = new Journal();
        var actor = system.ActorOf(Props.Create(() => new Awaiter(journal, probe.Ref)), "awaiter");

        var expected = new List<string>();
        for (int n = 0; n < 20; n++)
        {
            actor.Tell(n);
            actor.Tell($"sync {n}");
            expected.AddRange([$"enter {n}", $"exit {n}", $"sync {n}"]);
        }

        for (int n = 0; n < 20; n++) await probe.ExpectMsgAsync($"sync {n}");
        Assert.Equal(expected, journal.Entries);
    }
}

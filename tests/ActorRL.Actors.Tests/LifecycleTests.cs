namespace ActorRL.Actors.Tests;

public class LifecycleTests
{
    private static readonly TimeSpan Timeout = TestProbe.DefaultTimeout;

    /// <summary>root -> a, b; a -> a1, a2; b -> b1, b2, all recording PostStop in one journal.</summary>
    private static Props Tree(Journal journal) => Parent.Props(journal, null,
        ("a", Parent.Props(journal, null, ("a1", Worker.Props(journal)), ("a2", Worker.Props(journal)))),
        ("b", Parent.Props(journal, null, ("b1", Worker.Props(journal)), ("b2", Worker.Props(journal)))));

    private static void AssertStoppedBefore(IReadOnlyList<string> stops, string first, string then)
    {
        int i = stops.ToList().IndexOf($"PostStop {first}");
        int j = stops.ToList().IndexOf($"PostStop {then}");
        Assert.True(i >= 0, $"{first} did not stop; stops: {string.Join(", ", stops)}");
        Assert.True(j >= 0, $"{then} did not stop; stops: {string.Join(", ", stops)}");
        Assert.True(i < j, $"{first} should stop before {then}; stops: {string.Join(", ", stops)}");
    }

    private static async Task TreeStarted(Journal journal)
    {
        foreach (string name in new[] { "root", "a", "b", "a1", "a2", "b1", "b2" }) await journal.WaitForAsync($"PreStart {name}");
    }

    [Fact]
    public async Task TerminatingTheSystemStopsChildrenBeforeParents()
    {
        var system = ActorSystem.Create("terminate");
        var journal = new Journal();
        system.ActorOf(Tree(journal), "root");
        await TreeStarted(journal);

        await system.Terminate().WaitAsync(Timeout);

        var stops = journal.Entries.Where(e => e.StartsWith("PostStop", StringComparison.Ordinal)).ToList();
        Assert.Equal(7, stops.Count);
        foreach (var (child, parent) in new[] { ("a1", "a"), ("a2", "a"), ("b1", "b"), ("b2", "b"), ("a", "root"), ("b", "root") })
        {
            AssertStoppedBefore(stops, child, parent);
        }
        Assert.True(system.WhenTerminated.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task StoppingASubtreeStopsItsChildrenFirstAndLeavesTheRestRunning()
    {
        await using var system = ActorSystem.Create("subtree");
        var probe = new TestProbe(system);
        var journal = new Journal();
        var root = system.ActorOf(Tree(journal), "root");
        await TreeStarted(journal);
        var a = await root.Ask<IActorRef>(new GetChild("a"), Timeout);
        var b = await root.Ask<IActorRef>(new GetChild("b"), Timeout);
        await probe.WatchAsync(a);

        system.Stop(a);

        await probe.ExpectTerminatedAsync(a);
        var stops = journal.Entries.Where(e => e.StartsWith("PostStop", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, stops.Count);
        AssertStoppedBefore(stops, "a1", "a");
        AssertStoppedBefore(stops, "a2", "a");
        var b1 = await b.Ask<IActorRef>(new GetChild("b1"), Timeout);
        Assert.Equal("b1 alive", await b1.Ask<string>("b1 alive", Timeout));
    }

    [Fact]
    public async Task PreStartRunsBeforeTheFirstMessageAndPostStopAfterTheLast()
    {
        await using var system = ActorSystem.Create("hooks");
        var journal = new Journal();
        var probe = new TestProbe(system);
        var worker = system.ActorOf(Worker.Props(journal, probe.Ref), "w");
        worker.Tell(1);
        worker.Tell(2);
        await probe.ExpectMsgAsync("w:1=1");
        await probe.ExpectMsgAsync("w:2=2");

        Assert.True(await worker.GracefulStop(Timeout));

        Assert.Equal(["ctor w", "PreStart w", "PostStop w"], journal.Entries);
    }

    [Fact]
    public async Task PoisonPillIsHandledAfterTheMessagesQueuedBeforeIt()
    {
        await using var system = ActorSystem.Create("poison");
        var probe = new TestProbe(system);
        var deadLetters = new TestProbe(system);
        system.EventStream.Subscribe<DeadLetter>(deadLetters.Ref);
        var worker = system.ActorOf(Worker.Props(new Journal(), probe.Ref), "w");
        await probe.WatchAsync(worker);

        for (int n = 1; n <= 50; n++) worker.Tell(n);
        worker.Tell(PoisonPill.Instance);
        worker.Tell(51);

        for (int n = 1; n <= 50; n++) await probe.ExpectMsgAsync($"w:{n}={n}");
        await probe.ExpectTerminatedAsync(worker);
        Assert.Equal(51, (await deadLetters.ExpectMsgAsync<DeadLetter>()).Message);
    }

    [Fact]
    public async Task GracefulStopReportsWhetherTheActorStoppedInTime()
    {
        await using var system = ActorSystem.Create("graceful");
        var gate = new TaskCompletionSource();
        var slow = system.ActorOf(Props.Create(() => new Slow(gate.Task)), "slow");
        slow.Tell("hold");

        Assert.False(await slow.GracefulStop(TimeSpan.FromMilliseconds(200)));

        gate.SetResult();
        Assert.True(await slow.GracefulStop(Timeout));
        Assert.True(await slow.GracefulStop(Timeout)); // already stopped: answered at once
    }

    /// <summary>Holds its turn in an async handler until the gate opens.</summary>
    private sealed class Slow : ReceiveActor
    {
        public Slow(Task gate) => ReceiveAsync<string>(_ => gate);
    }

    [Fact]
    public async Task ActorsAreCreatedOnlyByTheSystemAndEachFromAFreshInstance()
    {
        Assert.Throws<InvalidOperationException>(() => new Slow(Task.CompletedTask));

        await using var system = ActorSystem.Create("factory");
        var probe = new TestProbe(system);
        var journal = new Journal();
        Worker? shared = null;
        var sharing = Props.Create(() => shared ??= new Worker(journal));
        var first = system.ActorOf(sharing, "first");
        await journal.WaitForAsync("PreStart first");
        var second = system.ActorOf(sharing, "second");
        await probe.WatchAsync(second);

        await probe.ExpectTerminatedAsync(second); // its factory handed back the first actor's instance
        Assert.Equal("first alive", await first.Ask<string>("first alive", Timeout));
    }

    [Fact]
    public async Task AStoppedActorCannotCreateChildrenAndTheSystemRejectsNewActorsAfterTerminate()
    {
        var system = ActorSystem.Create("closed");
        await system.Terminate().WaitAsync(Timeout);

        Assert.Throws<InvalidOperationException>(() => system.ActorOf(Worker.Props(new Journal()), "late"));
    }

    [Fact]
    public async Task TerminateIsIdempotentAndDisposeWaitsForIt()
    {
        var system = ActorSystem.Create("twice");
        var journal = new Journal();
        system.ActorOf(Worker.Props(journal), "w");
        await journal.WaitForAsync("PreStart w");

        Task first = system.Terminate();
        Task second = system.Terminate();
        await system.DisposeAsync();

        Assert.True(first.IsCompletedSuccessfully);
        Assert.Same(first, second);
        Assert.Equal(1, journal.Count("PostStop w"));
    }
}

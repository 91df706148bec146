using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace ActorRL.Actors.Tests;

public class SupervisionTests
{
    private static readonly TimeSpan Timeout = TestProbe.DefaultTimeout;

    /// <summary>Holds its mailbox shut until the test opens the gate, so later messages are surely queued.</summary>
    private sealed record Gate(Task Open);

    /// <summary>A counter that throws on <see cref="Fail"/> and holds its turn while awaiting a <see cref="Gate"/>.</summary>
    private sealed class GatedCounter : ReceiveActor
    {
        private int count;

        public GatedCounter(Journal journal, IActorRef report)
        {
            journal.Add("ctor");
            ReceiveAsync<Gate>(g => g.Open);
            Receive<int>(n => report.Tell($"{n}={++count}"));
            Receive<Fail>(f => throw f.Cause);
        }
    }

    private static async Task<IActorRef> ChildOf(IActorRef parent, string name) => await parent.Ask<IActorRef>(new GetChild(name), Timeout);

    [Fact]
    public async Task RestartResetsStateButKeepsTheMessagesQueuedBehindTheFailure()
    {
        await using var system = ActorSystem.Create("restart");
        var probe = new TestProbe(system);
        var journal = new Journal();
        var counter = system.ActorOf(Props.Create(() => new GatedCounter(journal, probe.Ref)), "counter");

        var gate = new TaskCompletionSource();
        counter.Tell(new Gate(gate.Task));
        counter.Tell(1);
        counter.Tell(2);
        counter.Tell(new Fail(new InvalidOperationException("boom")));
        for (int n = 3; n <= 6; n++) counter.Tell(n);
        gate.SetResult();

        // The failed message is dropped; the new instance counts from zero again; nothing queued is lost.
        foreach (string expected in new[] { "1=1", "2=2", "3=1", "4=2", "5=3", "6=4" })
        {
            await probe.ExpectMsgAsync(expected);
        }
        await probe.ExpectNoMsgAsync();
        Assert.Equal(2, journal.Count("ctor"));
    }

    /// <summary>Fails after an await, on a thread-pool continuation rather than on the mailbox's own call.</summary>
    private sealed class FailsLater : ReceiveActor
    {
        public FailsLater(Journal journal)
        {
            journal.Add("ctor");
            ReceiveAsync<Fail>(async f =>
            {
                await Task.Delay(10);
                throw f.Cause;
            });
            Receive<string>(s => Sender.Tell(s));
        }
    }

    [Fact]
    public async Task AnExceptionAfterAnAwaitIsSupervisedLikeAnyOther()
    {
        await using var system = ActorSystem.Create("asyncfail");
        var journal = new Journal();
        var actor = system.ActorOf(Props.Create(() => new FailsLater(journal)), "later");

        actor.Tell(new Fail(new InvalidOperationException("after an await")));

        await journal.WaitForAsync("ctor", times: 2);
        Assert.Equal("restarted", await actor.Ask<string>("restarted", Timeout));
    }

    [Fact]
    public async Task ResumeKeepsTheActorAndItsState()
    {
        await using var system = ActorSystem.Create("resume");
        var probe = new TestProbe(system);
        var journal = new Journal();
        var parent = system.ActorOf(Parent.Props(journal, new OneForOneStrategy(_ => Directive.Resume),
            ("worker", Worker.Props(journal, probe.Ref))), "parent");
        var worker = await ChildOf(parent, "worker");

        worker.Tell(1);
        worker.Tell(2);
        worker.Tell(new Fail(new InvalidOperationException("boom")));
        worker.Tell(3);

        await probe.ExpectMsgAsync("worker:1=1");
        await probe.ExpectMsgAsync("worker:2=2");
        await probe.ExpectMsgAsync("worker:3=3");
        Assert.Equal(1, journal.Count("ctor worker"));
        Assert.Equal(0, journal.Count("PostRestart worker"));
    }

    [Fact]
    public async Task TheRetryBudgetStopsAChildThatKeepsFailing()
    {
        await using var system = ActorSystem.Create("budget");
        var probe = new TestProbe(system);
        var journal = new Journal();
        var strategy = new OneForOneStrategy(_ => Directive.Restart) { MaxRetries = 2, Within = TimeSpan.FromMinutes(1) };
        var parent = system.ActorOf(Parent.Props(journal, strategy, ("worker", Worker.Props(journal))), "parent");
        var worker = await ChildOf(parent, "worker");
        await probe.WatchAsync(worker);

        for (int i = 0; i < 3; i++) worker.Tell(new Fail(new InvalidOperationException($"failure {i}")));

        await probe.ExpectTerminatedAsync(worker);
        Assert.Equal(2, journal.Count("PostRestart worker")); // two restarts allowed, the third failure stops it
    }

    [Fact]
    public async Task TheRetryBudgetCountsOnlyFailuresInsideItsWindow()
    {
        await using var system = ActorSystem.Create("window");
        var probe = new TestProbe(system);
        var journal = new Journal();
        var strategy = new OneForOneStrategy(_ => Directive.Restart) { MaxRetries = 1, Within = TimeSpan.FromMilliseconds(100) };
        var parent = system.ActorOf(Parent.Props(journal, strategy, ("worker", Worker.Props(journal))), "parent");
        var worker = await ChildOf(parent, "worker");
        await probe.WatchAsync(worker);

        worker.Tell(new Fail(new InvalidOperationException("first")));
        await journal.WaitForAsync("PostRestart worker");
        await Task.Delay(500); // the window has surely passed: the budget is fresh again
        worker.Tell(new Fail(new InvalidOperationException("second")));
        await journal.WaitForAsync("PostRestart worker", times: 2);

        Assert.Equal("ok", await worker.Ask<string>("ok", Timeout));
        await probe.ExpectNoMsgAsync();
    }

    [Fact]
    public async Task EscalateHandsTheFailureToTheGrandparent()
    {
        await using var system = ActorSystem.Create("escalate");
        var probe = new TestProbe(system);
        var journal = new Journal();
        var seen = new ConcurrentQueue<Exception>();
        var grandparentStrategy = new OneForOneStrategy(e =>
        {
            seen.Enqueue(e);
            return Directive.Stop;
        });
        var parentProps = Parent.Props(journal, new OneForOneStrategy(_ => Directive.Escalate), ("child", Worker.Props(journal)));
        var grandparent = system.ActorOf(Parent.Props(journal, grandparentStrategy, ("parent", parentProps)), "grandparent");
        var parent = await ChildOf(grandparent, "parent");
        var child = await ChildOf(parent, "child");
        await probe.WatchAsync(parent);
        await probe.WatchAsync(child);

        var cause = new InvalidOperationException("from the grandchild");
        child.Tell(new Fail(cause));

        // The grandparent decided (Stop) on the grandchild's own exception: parent and child stop.
        var terminated = new[] { (await probe.ExpectMsgAsync<Terminated>()).ActorRef, (await probe.ExpectMsgAsync<Terminated>()).ActorRef };
        Assert.Contains(parent, terminated);
        Assert.Contains(child, terminated);
        Assert.Same(cause, Assert.Single(seen));
        Assert.Equal(["PostStop child", "PostStop parent"], journal.Entries.Where(e => e.StartsWith("PostStop", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task AParentEscalatesOnceWhileItsSupervisorDecides()
    {
        await using var system = ActorSystem.Create("escalateonce");
        var journal = new Journal();
        int decisions = 0;
        var grandparentStrategy = new OneForOneStrategy(_ =>
        {
            Interlocked.Increment(ref decisions);
            return Directive.Restart;
        })
        {
            // Holds the parent failed long enough for every child's failure to reach it first.
            Backoff = new Backoff(TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(300)),
        };
        var parentProps = Parent.Props(journal, new OneForOneStrategy(_ => Directive.Escalate),
            ("a", Worker.Props(journal)), ("b", Worker.Props(journal)), ("c", Worker.Props(journal)));
        var grandparent = system.ActorOf(Parent.Props(journal, grandparentStrategy, ("parent", parentProps)), "grandparent");
        var parent = await ChildOf(grandparent, "parent");
        var children = new[] { await ChildOf(parent, "a"), await ChildOf(parent, "b"), await ChildOf(parent, "c") };

        foreach (IActorRef child in children) child.Tell(new Fail(new InvalidOperationException($"{child.Path.Name} fails")));

        await journal.WaitForAsync("PostRestart parent");
        await Task.Delay(500); // a second escalation would cause a second restart by now
        Assert.Equal(1, Volatile.Read(ref decisions));
        Assert.Equal(1, journal.Count("PostRestart parent"));
        Assert.Equal("a is back", await (await ChildOf(parent, "a")).Ask<string>("a is back", Timeout));
    }

    [Fact]
    public async Task AllForOneRestartsTheSiblingsOfAFailedChild()
    {
        await using var system = ActorSystem.Create("allforone");
        var journal = new Journal();
        var parent = system.ActorOf(Parent.Props(journal, new AllForOneStrategy(_ => Directive.Restart),
            ("a", Worker.Props(journal)), ("b", Worker.Props(journal)), ("c", Worker.Props(journal))), "parent");
        var a = await ChildOf(parent, "a");
        var b = await ChildOf(parent, "b");
        b.Tell(1);
        Assert.Equal(1, await b.Ask<int>(new GetCount(), Timeout));

        a.Tell(new Fail(new InvalidOperationException("a fails")));

        foreach (string name in new[] { "a", "b", "c" }) await journal.WaitForAsync($"PostRestart {name}");
        Assert.Equal(0, await b.Ask<int>(new GetCount(), Timeout)); // b's state was reset too
        foreach (string name in new[] { "a", "b", "c" })
        {
            Assert.Equal(2, journal.Count($"PreStart {name}"));
            Assert.Equal(1, journal.Count($"PostRestart {name}"));
        }
    }

    [Fact]
    public async Task OneForOneRestartsOnlyTheFailedChild()
    {
        await using var system = ActorSystem.Create("oneforone");
        var journal = new Journal();
        var parent = system.ActorOf(Parent.Props(journal, new OneForOneStrategy(_ => Directive.Restart),
            ("a", Worker.Props(journal)), ("b", Worker.Props(journal))), "parent");
        var a = await ChildOf(parent, "a");
        var b = await ChildOf(parent, "b");
        b.Tell(1);

        a.Tell(new Fail(new InvalidOperationException("a fails")));

        await journal.WaitForAsync("PostRestart a");
        Assert.Equal("ok", await a.Ask<string>("ok", Timeout));
        Assert.Equal(1, await b.Ask<int>(new GetCount(), Timeout));
        Assert.Equal(0, journal.Count("PostRestart b"));
    }

    [Fact]
    public async Task BackoffSpacesConsecutiveRestarts()
    {
        await using var system = ActorSystem.Create("backoff");
        var journal = new Journal();
        var starts = new ConcurrentQueue<TimeSpan>();
        var clock = Stopwatch.StartNew();
        var strategy = new OneForOneStrategy(_ => Directive.Restart)
        {
            Backoff = new Backoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), Factor: 2.0),
        };
        var child = Props.Create(() => new StartRecorder(starts, clock));
        var parent = system.ActorOf(Parent.Props(journal, strategy, ("child", child)), "parent");
        var recorder = await ChildOf(parent, "child");

        for (int i = 0; i < 3; i++) recorder.Tell(new Fail(new InvalidOperationException($"failure {i}")));

        await Eventually.True(() => starts.Count == 4, "the first start and three restarts");
        TimeSpan[] at = [.. starts];
        // Each failure follows at once on the restart before it, so the gaps are the back-off delays: 100, 200, 400 ms.
        double[] minimum = [100, 200, 400];
        for (int i = 0; i < 3; i++)
        {
            double gap = (at[i + 1] - at[i]).TotalMilliseconds;
            Assert.True(gap >= 0.8 * minimum[i], $"restart {i + 1} came {gap:0} ms after the previous start; the back-off is {minimum[i]} ms");
        }
    }

    private sealed class StartRecorder : ReceiveActor
    {
        public StartRecorder(ConcurrentQueue<TimeSpan> starts, Stopwatch clock)
        {
            starts.Enqueue(clock.Elapsed);
            Receive<Fail>(f => throw f.Cause);
        }
    }

    [Fact]
    public async Task KillMakesTheDefaultStrategyStopTheActor()
    {
        await using var system = ActorSystem.Create("kill");
        var probe = new TestProbe(system);
        var journal = new Journal();
        var seen = new ConcurrentQueue<Exception>();
        var strategy = new OneForOneStrategy(e =>
        {
            seen.Enqueue(e);
            return SupervisorStrategy.DefaultDecider(e);
        });
        var parent = system.ActorOf(Parent.Props(journal, strategy, ("worker", Worker.Props(journal))), "parent");
        var worker = await ChildOf(parent, "worker");
        await probe.WatchAsync(worker);

        worker.Tell(Kill.Instance);

        await probe.ExpectTerminatedAsync(worker);
        Assert.IsType<ActorKilledException>(Assert.Single(seen));
        Assert.Equal(0, journal.Count("PostRestart worker"));
    }

    [Fact]
    public async Task AnActorWhoseConstructorOrPreStartThrowsIsStoppedAndTheSystemCarriesOn()
    {
        await using var system = ActorSystem.Create("initfail");
        var probe = new TestProbe(system);
        var badCtor = system.ActorOf(Props.Create<ThrowsInConstructor>(), "bad-ctor");
        var badStart = system.ActorOf(Props.Create<ThrowsInPreStart>(), "bad-start");
        await probe.WatchAsync(badCtor);
        await probe.WatchAsync(badStart);

        var stopped = new[] { (await probe.ExpectMsgAsync<Terminated>()).ActorRef, (await probe.ExpectMsgAsync<Terminated>()).ActorRef };
        Assert.Contains(badCtor, stopped);
        Assert.Contains(badStart, stopped);
        var journal = new Journal();
        var healthy = system.ActorOf(Worker.Props(journal), "healthy");
        Assert.Equal("still here", await healthy.Ask<string>("still here", Timeout));
    }

    private sealed class ThrowsInConstructor : ActorBase
    {
        public ThrowsInConstructor() => throw new InvalidOperationException("constructor");

        protected internal override ValueTask<bool> ReceiveAsync(object message) => new(true);
    }

    private sealed class ThrowsInPreStart : ActorBase
    {
        protected internal override void PreStart() => throw new InvalidOperationException("PreStart");

        protected internal override ValueTask<bool> ReceiveAsync(object message) => new(true);
    }

    [Fact]
    public async Task AThrowingDeciderEscalatesInsteadOfCrashing()
    {
        await using var system = ActorSystem.Create("baddecider");
        var journal = new Journal();
        var strategy = new OneForOneStrategy(_ => throw new InvalidOperationException("the decider itself is broken"));
        var parent = system.ActorOf(Parent.Props(journal, strategy, ("worker", Worker.Props(journal))), "parent");
        var worker = await ChildOf(parent, "worker");

        worker.Tell(new Fail(new InvalidOperationException("boom")));

        // Escalated to the user guardian, whose default strategy restarts the parent (and so its child).
        await journal.WaitForAsync("PostRestart parent");
        var newWorker = await ChildOf(parent, "worker");
        Assert.NotEqual(worker, newWorker);
        Assert.Equal("alive", await newWorker.Ask<string>("alive", Timeout));
    }

    [Fact]
    public async Task AThrowingPostStopOrPreRestartDoesNotStopTheLifecycle()
    {
        await using var system = ActorSystem.Create("badhooks");
        var probe = new TestProbe(system);
        var instances = new StrongBox<int>();
        var actor = system.ActorOf(Props.Create(() => new ThrowsInHooks(instances)), "hooks");

        actor.Tell(new Fail(new InvalidOperationException("restart me"))); // PreRestart -> PostStop throw
        Assert.Equal(2, await actor.Ask<int>("instances", Timeout));
        await probe.WatchAsync(actor);
        system.Stop(actor); // PostStop throws again
        await probe.ExpectTerminatedAsync(actor);
        await system.Terminate().WaitAsync(Timeout);
    }

    private sealed class ThrowsInHooks : ReceiveActor
    {
        public ThrowsInHooks(StrongBox<int> instances)
        {
            instances.Value++;
            Receive<Fail>(f => throw f.Cause);
            Receive<string>(_ => Sender.Tell(instances.Value));
        }

        protected internal override void PostStop() => throw new InvalidOperationException("PostStop");

        protected internal override void PreRestart(Exception reason, object? message)
        {
            base.PreRestart(reason, message);
            throw new InvalidOperationException("PreRestart");
        }
    }

    /// <summary>Throws from its constructor the first time it is built.</summary>
    private sealed class FailsFirstStart : ReceiveActor
    {
        public FailsFirstStart(Journal journal, IActorRef report)
        {
            journal.Add("ctor");
            if (journal.Count("ctor") == 1) throw new InvalidOperationException("first start fails");
            Receive<string>(s => report.Tell("got " + s));
        }
    }

    [Fact]
    public async Task ResumingAnActorThatNeverStartedBuildsAFreshInstance()
    {
        await using var system = ActorSystem.Create("resume-unstarted", new ActorSystemOptions { GuardianStrategy = new OneForOneStrategy(_ => Directive.Resume) });
        var probe = new TestProbe(system);
        var journal = new Journal();
        var actor = system.ActorOf(Props.Create(() => new FailsFirstStart(journal, probe.Ref)), "late");
        actor.Tell("hello");
        await probe.ExpectMsgAsync("got hello");
        Assert.Equal(2, journal.Count("ctor"));
    }
}

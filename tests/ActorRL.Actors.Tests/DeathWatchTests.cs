namespace ActorRL.Actors.Tests;

public class DeathWatchTests
{
    private static readonly TimeSpan Timeout = TestProbe.DefaultTimeout;

    [Fact]
    public async Task WatchingTwiceDeliversTerminatedExactlyOnce()
    {
        await using var system = ActorSystem.Create("watchtwice");
        var probe = new TestProbe(system);
        var worker = system.ActorOf(Worker.Props(new Journal()), "w");
        await probe.WatchAsync(worker);
        await probe.WatchAsync(worker);

        system.Stop(worker);

        await probe.ExpectTerminatedAsync(worker);
        Assert.Equal(worker, probe.LastSender);
        await probe.ExpectNoMsgAsync();
    }

    [Fact]
    public async Task WatchingAnActorThatAlreadyStoppedDeliversTerminatedAtOnce()
    {
        await using var system = ActorSystem.Create("watchdead");
        var probe = new TestProbe(system);
        var worker = system.ActorOf(Worker.Props(new Journal()), "w");
        Assert.True(await worker.GracefulStop(Timeout));

        await probe.WatchAsync(worker);

        await probe.ExpectTerminatedAsync(worker);
        await probe.ExpectNoMsgAsync();
    }

    [Fact]
    public async Task AfterUnwatchNoTerminatedArrives()
    {
        await using var system = ActorSystem.Create("unwatch");
        var probe = new TestProbe(system);
        var worker = system.ActorOf(Worker.Props(new Journal()), "w");
        await probe.WatchAsync(worker);
        await probe.UnwatchAsync(worker);

        Assert.True(await worker.GracefulStop(Timeout));

        await probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task ARestartIsNotADeath()
    {
        await using var system = ActorSystem.Create("restartalive");
        var probe = new TestProbe(system);
        var journal = new Journal();
        var worker = system.ActorOf(Worker.Props(journal), "w");
        await probe.WatchAsync(worker);

        worker.Tell(new Fail(new InvalidOperationException("restart me")));

        await journal.WaitForAsync("PostRestart w");
        await probe.ExpectNoMsgAsync();
        system.Stop(worker);
        await probe.ExpectTerminatedAsync(worker);
    }

    /// <summary>Creates a child, watches it (twice), stops it on request and reports each Terminated to a probe.</summary>
    private sealed class WatchingParent : ReceiveActor
    {
        public WatchingParent(IActorRef report)
        {
            IActorRef child = Context.ActorOf(Worker.Props(new Journal()), "child");
            Context.Watch(child);
            Context.Watch(child);
            Receive<string>(_ => child.Tell(PoisonPill.Instance));
            Receive<Terminated>(t => report.Tell($"Terminated {t.ActorRef.Path.Name}"));
        }
    }

    [Fact]
    public async Task AParentWatchingItsChildGetsExactlyOneTerminated()
    {
        await using var system = ActorSystem.Create("parentwatch");
        var probe = new TestProbe(system);
        var parent = system.ActorOf(Props.Create(() => new WatchingParent(probe.Ref)), "parent");

        parent.Tell("stop the child");

        await probe.ExpectMsgAsync("Terminated child");
        await probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
    }

    /// <summary>Sends its final results, then stops itself.</summary>
    private sealed class LastWords : ReceiveActor
    {
        public LastWords(IActorRef to)
        {
            Receive<int>(count =>
            {
                for (int i = 0; i < count; i++) to.Tell(i);
                Context.Stop(Self);
            });
        }
    }

    [Fact]
    public async Task TerminatedArrivesAfterEverythingTheWatchedActorSentBeforeStopping()
    {
        await using var system = ActorSystem.Create("lastwords");
        var probe = new TestProbe(system);
        var worker = system.ActorOf(Props.Create(() => new LastWords(probe.Ref)), "w");
        await probe.WatchAsync(worker);

        worker.Tell(1000);

        for (int i = 0; i < 1000; i++) await probe.ExpectMsgAsync(i);
        await probe.ExpectTerminatedAsync(worker);
    }

    /// <summary>Watches a target; holds its turn on a gate; unwatches on request; reports Terminated.</summary>
    private sealed class Unwatcher : ReceiveActor
    {
        public Unwatcher(IActorRef target, IActorRef report)
        {
            Context.Watch(target);
            ReceiveAsync<Task>(gate =>
            {
                report.Tell("holding");
                return gate;
            });
            Receive<string>(_ =>
            {
                Context.Unwatch(target);
                report.Tell("unwatched");
            });
            Receive<Terminated>(t => report.Tell(t));
        }
    }

    [Fact]
    public async Task UnwatchDropsATerminatedThatWasAlreadyOnItsWay()
    {
        await using var system = ActorSystem.Create("unwatchlate");
        var probe = new TestProbe(system);
        var target = system.ActorOf(Worker.Props(new Journal()), "target");
        var watcher = system.ActorOf(Props.Create(() => new Unwatcher(target, probe.Ref)), "watcher");
        var gate = new TaskCompletionSource();
        watcher.Tell(gate.Task);
        await probe.ExpectMsgAsync("holding"); // the watcher is busy while the target dies

        Assert.True(await target.GracefulStop(Timeout));
        watcher.Tell("unwatch");
        gate.SetResult();

        await probe.ExpectMsgAsync("unwatched");
        await probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
    }

    /// <summary>Watches a target but handles nothing: its Terminated is a death pact.</summary>
    private sealed class CarelessWatcher : ActorBase
    {
        private readonly IActorRef target;

        public CarelessWatcher(IActorRef target) => this.target = target;

        protected internal override void PreStart() => Context.Watch(target);

        protected internal override ValueTask<bool> ReceiveAsync(object message) => new(false);
    }

    [Fact]
    public async Task AnUnhandledTerminatedIsADeathPactThatStopsTheWatcher()
    {
        await using var system = ActorSystem.Create("deathpact");
        var probe = new TestProbe(system);
        var target = system.ActorOf(Worker.Props(new Journal()), "target");
        var watcher = system.ActorOf(Props.Create(() => new CarelessWatcher(target)), "watcher");
        await probe.WatchAsync(watcher);

        system.Stop(target);

        await probe.ExpectTerminatedAsync(watcher);
    }

    [Fact]
    public async Task ATerminatedToldByHandIsAnOrdinaryMessage()
    {
        await using var system = ActorSystem.Create("forged");
        var probe = new TestProbe(system);
        var other = system.ActorOf(Worker.Props(new Journal()), "other");

        probe.Ref.Tell(new Terminated(other));

        Assert.Equal(other, (await probe.ExpectMsgAsync<Terminated>()).ActorRef);
    }
}

namespace ActorRL.Actors.Tests;

public class TimersTests
{
    private static readonly TimeSpan Timeout = TestProbe.DefaultTimeout;

    private sealed record Tick(string Key);

    private sealed record StartSingle(string Key, TimeSpan Delay, string? Message = null);

    private sealed record StartPeriodic(string Key, TimeSpan Interval, int CancelAfter = int.MaxValue);

    private sealed record IsActive(string Key);

    /// <summary>Starts a key's timer at once, lets it fire into the mailbox, then replaces it.</summary>
    private sealed record ReplaceAfterFiring(string Key);

    /// <summary>Starts timers on request; reports each tick as "key#n"; cancels a periodic timer after a set number of ticks.</summary>
    private sealed class Ticker : ReceiveActor
    {
        private readonly Dictionary<string, int> ticks = [];
        private readonly Dictionary<string, int> cancelAfter = [];

        public Ticker(IActorRef report)
        {
            Receive<StartSingle>(s => Timers.StartSingleTimer(s.Key, s.Message is null ? new Tick(s.Key) : s.Message, s.Delay));
            Receive<StartPeriodic>(p =>
            {
                cancelAfter[p.Key] = p.CancelAfter;
                Timers.StartPeriodicTimer(p.Key, new Tick(p.Key), p.Interval);
            });
            Receive<IsActive>(q => Sender.Tell(Timers.IsTimerActive(q.Key)));
            Receive<ReplaceAfterFiring>(r =>
            {
                Timers.StartSingleTimer(r.Key, "stale", TimeSpan.Zero);
                Thread.Sleep(200); // holds the turn: the stale message is queued behind it meanwhile
                Timers.StartSingleTimer(r.Key, "fresh", TimeSpan.FromMilliseconds(50));
            });
            Receive<Tick>(t =>
            {
                int n = ticks[t.Key] = ticks.GetValueOrDefault(t.Key) + 1;
                report.Tell($"{t.Key}#{n}");
                if (n >= cancelAfter.GetValueOrDefault(t.Key, int.MaxValue)) Timers.Cancel(t.Key);
            });
            Receive<string>(s => report.Tell(s));
            Receive<Fail>(f => throw f.Cause);
        }
    }

    [Fact]
    public async Task ASingleTimerFiresOnceAndThenIsInactive()
    {
        await using var system = ActorSystem.Create("single");
        var probe = new TestProbe(system);
        var ticker = system.ActorOf(Props.Create(() => new Ticker(probe.Ref)), "ticker");

        ticker.Tell(new StartSingle("once", TimeSpan.FromMilliseconds(50)));

        await probe.ExpectMsgAsync("once#1");
        await probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
        Assert.False(await ticker.Ask<bool>(new IsActive("once"), Timeout));
    }

    [Fact]
    public async Task APeriodicTimerRepeatsUntilCancelledAndNothingArrivesAfterTheCancel()
    {
        await using var system = ActorSystem.Create("periodic");
        var probe = new TestProbe(system);
        var ticker = system.ActorOf(Props.Create(() => new Ticker(probe.Ref)), "ticker");

        // A short interval, so that ticks are likely already queued when the actor cancels on its third.
        ticker.Tell(new StartPeriodic("p", TimeSpan.FromMilliseconds(10), CancelAfter: 3));

        await probe.ExpectMsgAsync("p#1");
        await probe.ExpectMsgAsync("p#2");
        await probe.ExpectMsgAsync("p#3");
        await probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
        Assert.False(await ticker.Ask<bool>(new IsActive("p"), Timeout));
    }

    [Fact]
    public async Task StartingAKeyAgainReplacesItsTimer()
    {
        await using var system = ActorSystem.Create("replace");
        var probe = new TestProbe(system);
        var ticker = system.ActorOf(Props.Create(() => new Ticker(probe.Ref)), "ticker");

        ticker.Tell(new StartSingle("k", TimeSpan.FromMilliseconds(100), "first"));
        ticker.Tell(new StartSingle("k", TimeSpan.FromMilliseconds(150), "second"));
        Assert.True(await ticker.Ask<bool>(new IsActive("k"), Timeout));

        await probe.ExpectMsgAsync("second");
        await probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task AMessageAlreadyQueuedByAReplacedTimerIsDropped()
    {
        await using var system = ActorSystem.Create("stale");
        var probe = new TestProbe(system);
        var ticker = system.ActorOf(Props.Create(() => new Ticker(probe.Ref)), "ticker");

        ticker.Tell(new ReplaceAfterFiring("k"));

        await probe.ExpectMsgAsync("fresh");
        await probe.ExpectNoMsgAsync();
    }

    [Fact]
    public async Task TimersAreCancelledWhenTheActorStops()
    {
        await using var system = ActorSystem.Create("stoptimers");
        var probe = new TestProbe(system);
        var deadLetters = new TestProbe(system);
        system.EventStream.Subscribe<DeadLetter>(deadLetters.Ref);
        var ticker = system.ActorOf(Props.Create(() => new Ticker(probe.Ref)), "ticker");
        ticker.Tell(new StartPeriodic("p", TimeSpan.FromMilliseconds(10)));
        await probe.ExpectMsgAsync("p#1");

        Assert.True(await ticker.GracefulStop(Timeout));
        await Task.Delay(100);
        deadLetters.Drain(); // ticks that were queued at the stop

        // A timer still running would send a tick to dead letters every 10 ms.
        await deadLetters.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task TimersAreCancelledWhenTheActorRestarts()
    {
        await using var system = ActorSystem.Create("restarttimers");
        var probe = new TestProbe(system);
        var ticker = system.ActorOf(Props.Create(() => new Ticker(probe.Ref)), "ticker");
        ticker.Tell(new StartPeriodic("p", TimeSpan.FromMilliseconds(10)));
        await probe.ExpectMsgAsync("p#1");

        ticker.Tell(new Fail(new InvalidOperationException("restart")));
        ticker.Tell("restarted");

        await probe.FishForMessageAsync<string>(s => s == "restarted");
        await probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
    }

    /// <summary>Sets a receive timeout at start, reports each ReceiveTimeout, and turns it off on request.</summary>
    private sealed class Idle : ReceiveActor
    {
        public Idle(IActorRef report)
        {
            Receive<ReceiveTimeout>(t => report.Tell(t));
            Receive<string>(_ =>
            {
                Context.SetReceiveTimeout(null);
                report.Tell(Context.ReceiveTimeout?.ToString() ?? "off");
            });
        }

        protected internal override void PreStart() => Context.SetReceiveTimeout(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task AReceiveTimeoutArrivesEachIdlePeriodAndStopsWhenTurnedOff()
    {
        await using var system = ActorSystem.Create("idle");
        var probe = new TestProbe(system);
        var idle = system.ActorOf(Props.Create(() => new Idle(probe.Ref)), "idle");

        Assert.Same(ReceiveTimeout.Instance, await probe.ExpectMsgAsync<ReceiveTimeout>());
        Assert.Same(ReceiveTimeout.Instance, await probe.ExpectMsgAsync<ReceiveTimeout>()); // again while still idle
        idle.Tell("off");
        await probe.ExpectMsgAsync("off");

        await probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
    }
}

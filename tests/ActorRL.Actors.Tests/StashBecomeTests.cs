namespace ActorRL.Actors.Tests;

public class StashBecomeTests
{
    private static readonly TimeSpan Timeout = TestProbe.DefaultTimeout;

    /// <summary>Stashes numbers until "open", then handles them (reporting each) in their original order.</summary>
    private sealed class Doorman : ReceiveActor
    {
        private readonly IActorRef report;

        public Doorman(IActorRef report)
        {
            this.report = report;
            Closed();
        }

        private void Closed()
        {
            Receive<int>(_ => Context.Stash());
            Receive<string>(_ =>
            {
                Context.Become(Open);
                Context.UnstashAll();
            }, s => s == "open");
            Receive<Fail>(f => throw f.Cause);
        }

        private void Open()
        {
            Receive<int>(n => report.Tell(n));
            Receive<string>(_ => Context.Become(Closed), s => s == "close");
        }
    }

    [Fact]
    public async Task UnstashAllReplaysStashedMessagesInOrderBeforeLaterOnes()
    {
        await using var system = ActorSystem.Create("stash");
        var probe = new TestProbe(system);
        var doorman = system.ActorOf(Props.Create(() => new Doorman(probe.Ref)), "doorman");

        for (int n = 1; n <= 5; n++) doorman.Tell(n);
        doorman.Tell("open");
        for (int n = 6; n <= 8; n++) doorman.Tell(n);

        for (int n = 1; n <= 8; n++) await probe.ExpectMsgAsync(n);
        await probe.ExpectNoMsgAsync();
    }

    [Fact]
    public async Task StashingCanBeRepeated()
    {
        await using var system = ActorSystem.Create("restash");
        var probe = new TestProbe(system);
        var doorman = system.ActorOf(Props.Create(() => new Doorman(probe.Ref)), "doorman");

        doorman.Tell(1);
        doorman.Tell("open");
        await probe.ExpectMsgAsync(1);
        doorman.Tell("close");
        doorman.Tell(2);
        doorman.Tell(3);
        await probe.ExpectNoMsgAsync();
        doorman.Tell("open");

        await probe.ExpectMsgAsync(2);
        await probe.ExpectMsgAsync(3);
    }

    [Fact]
    public async Task StashedMessagesSurviveARestart()
    {
        await using var system = ActorSystem.Create("stashrestart");
        var probe = new TestProbe(system);
        var doorman = system.ActorOf(Props.Create(() => new Doorman(probe.Ref)), "doorman");

        doorman.Tell(1);
        doorman.Tell(2);
        doorman.Tell(new Fail(new InvalidOperationException("restart with a full stash")));
        doorman.Tell("open");
        doorman.Tell(3);

        for (int n = 1; n <= 3; n++) await probe.ExpectMsgAsync(n);
    }

    [Fact]
    public async Task StashedMessagesOfAStoppedActorBecomeDeadLetters()
    {
        await using var system = ActorSystem.Create("stashstop");
        var probe = new TestProbe(system);
        var deadLetters = new TestProbe(system);
        system.EventStream.Subscribe<DeadLetter>(deadLetters.Ref);
        var doorman = system.ActorOf(Props.Create(() => new Doorman(probe.Ref)), "doorman");

        doorman.Tell(1);
        doorman.Tell(2);
        Assert.True(await doorman.GracefulStop(Timeout));

        var lost = new[] { (await deadLetters.ExpectMsgAsync<DeadLetter>()).Message, (await deadLetters.ExpectMsgAsync<DeadLetter>()).Message };
        Assert.Equal([1, 2], lost.Cast<int>().Order());
    }

    private sealed record Push(string Mood);

    /// <summary>Answers "how" with its mood; moods stack with Become(discardOld: false) and pop with Unbecome.</summary>
    private sealed class Moody : ReceiveActor
    {
        public Moody()
        {
            Behave("calm");
        }

        private void Behave(string mood)
        {
            Receive<string>(_ => Sender.Tell(mood), s => s == "how");
            Receive<Push>(p => Context.Become(() => Behave(p.Mood), discardOld: false));
            Receive<string>(_ => Context.Become(() => Behave("replaced")), s => s == "replace");
            Receive<string>(_ => Context.Unbecome(), s => s == "pop");
        }
    }

    [Fact]
    public async Task BecomeStacksBehavioursAndUnbecomeReturnsToThePreviousOne()
    {
        await using var system = ActorSystem.Create("become");
        var moody = system.ActorOf(Props.Create<Moody>(), "moody");
        Assert.Equal("calm", await moody.Ask<string>("how", Timeout));

        moody.Tell(new Push("angry"));
        Assert.Equal("angry", await moody.Ask<string>("how", Timeout));
        moody.Tell(new Push("furious"));
        Assert.Equal("furious", await moody.Ask<string>("how", Timeout));

        moody.Tell("pop");
        Assert.Equal("angry", await moody.Ask<string>("how", Timeout));
        moody.Tell("pop");
        Assert.Equal("calm", await moody.Ask<string>("how", Timeout));
        moody.Tell("pop"); // the initial behaviour is never popped
        Assert.Equal("calm", await moody.Ask<string>("how", Timeout));
    }

    [Fact]
    public async Task BecomeWithDiscardOldReplacesTheCurrentBehaviour()
    {
        await using var system = ActorSystem.Create("replace");
        var moody = system.ActorOf(Props.Create<Moody>(), "moody");

        moody.Tell(new Push("angry"));
        moody.Tell("replace");
        Assert.Equal("replaced", await moody.Ask<string>("how", Timeout));
        moody.Tell("pop");

        Assert.Equal("calm", await moody.Ask<string>("how", Timeout)); // "angry" was replaced, not stacked
    }

    [Fact]
    public async Task ARestartReturnsToTheInitialBehaviour()
    {
        await using var system = ActorSystem.Create("becomerestart");
        var probe = new TestProbe(system);
        var doorman = system.ActorOf(Props.Create(() => new Doorman(probe.Ref)), "doorman");
        doorman.Tell("open");
        doorman.Tell(1);
        await probe.ExpectMsgAsync(1);

        doorman.Tell("close");
        doorman.Tell(new Fail(new InvalidOperationException("restart")));
        doorman.Tell(2);

        await probe.ExpectNoMsgAsync(); // the new instance is closed again and stashes 2
        doorman.Tell("open");
        await probe.ExpectMsgAsync(2);
    }
}

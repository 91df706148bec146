namespace ActorRL.Actors.Tests;

public class EventStreamTests
{
    private static readonly TimeSpan Timeout = TestProbe.DefaultTimeout;

    private abstract record TrainingEvent;

    private sealed record StepDone(int Step) : TrainingEvent;

    private sealed record CheckpointWritten(string Path) : TrainingEvent;

    private sealed record Unrelated;

    [Fact]
    public async Task AMessageToAStoppedActorIsPublishedAsADeadLetter()
    {
        await using var system = ActorSystem.Create("deadletters");
        var probe = new TestProbe(system);
        system.EventStream.Subscribe<DeadLetter>(probe.Ref);
        var worker = system.ActorOf(Worker.Props(new Journal()), "w");
        var sender = new TestProbe(system);
        Assert.True(await worker.GracefulStop(Timeout));

        worker.Tell("too late", sender.Ref);

        var letter = await probe.ExpectMsgAsync<DeadLetter>();
        Assert.Equal("too late", letter.Message);
        Assert.Equal(sender.Ref, letter.Sender);
        Assert.Equal(worker, letter.Recipient);
    }

    [Fact]
    public async Task ReplyingToNoSenderIsADeadLetter()
    {
        await using var system = ActorSystem.Create("nosender");
        var probe = new TestProbe(system);
        system.EventStream.Subscribe<DeadLetter>(probe.Ref);
        var worker = system.ActorOf(Worker.Props(new Journal()), "w");

        worker.Tell("echo me"); // Worker replies to Sender, which is dead letters when there is none

        var letter = await probe.ExpectMsgAsync<DeadLetter>();
        Assert.Equal("echo me", letter.Message);
        Assert.Equal(system.DeadLetters, letter.Recipient);
    }

    [Fact]
    public async Task AnUnhandledMessageIsPublished()
    {
        await using var system = ActorSystem.Create("unhandled");
        var probe = new TestProbe(system);
        system.EventStream.Subscribe<UnhandledMessage>(probe.Ref);
        var worker = system.ActorOf(Worker.Props(new Journal()), "w");

        worker.Tell(3.14, probe.Ref); // Worker has no handler for double

        var unhandled = await probe.ExpectMsgAsync<UnhandledMessage>();
        Assert.Equal(3.14, unhandled.Message);
        Assert.Equal(probe.Ref, unhandled.Sender);
        Assert.Equal(worker, unhandled.Recipient);
        Assert.Equal("still fine", await worker.Ask<string>("still fine", Timeout));
    }

    [Fact]
    public async Task SubscribingToABaseTypeDeliversEverySubtypeAndNothingElse()
    {
        await using var system = ActorSystem.Create("basetype");
        var probe = new TestProbe(system);
        Assert.True(system.EventStream.Subscribe<TrainingEvent>(probe.Ref));
        Assert.False(system.EventStream.Subscribe<TrainingEvent>(probe.Ref)); // already subscribed: no second copy

        system.EventStream.Publish(new StepDone(1));
        system.EventStream.Publish(new Unrelated());
        system.EventStream.Publish(new CheckpointWritten("ckpt-1"));

        Assert.Equal(new StepDone(1), await probe.ExpectMsgAsync<StepDone>());
        Assert.Equal(new CheckpointWritten("ckpt-1"), await probe.ExpectMsgAsync<CheckpointWritten>());
        await probe.ExpectNoMsgAsync();
    }

    [Fact]
    public async Task UnsubscribeStopsDelivery()
    {
        await using var system = ActorSystem.Create("unsubscribe");
        var probe = new TestProbe(system);
        system.EventStream.Subscribe<StepDone>(probe.Ref);
        system.EventStream.Publish(new StepDone(1));
        await probe.ExpectMsgAsync<StepDone>();

        Assert.True(system.EventStream.Unsubscribe(probe.Ref, typeof(StepDone)));
        Assert.False(system.EventStream.Unsubscribe(probe.Ref, typeof(StepDone)));
        system.EventStream.Publish(new StepDone(2));

        await probe.ExpectNoMsgAsync();
    }

    [Fact]
    public async Task AStoppedSubscriberIsRemoved()
    {
        await using var system = ActorSystem.Create("stoppedsubscriber");
        var deadLetters = new TestProbe(system);
        system.EventStream.Subscribe<DeadLetter>(deadLetters.Ref);
        var subscriber = system.ActorOf(Worker.Props(new Journal()), "subscriber");
        system.EventStream.Subscribe<StepDone>(subscriber);
        Assert.True(await subscriber.GracefulStop(Timeout));

        system.EventStream.Publish(new StepDone(1));

        // Still subscribed, it would turn every event into a dead letter.
        await deadLetters.ExpectNoMsgAsync();
        Assert.True(system.EventStream.Subscribe<StepDone>(subscriber)); // proves the old subscription is gone
    }
}

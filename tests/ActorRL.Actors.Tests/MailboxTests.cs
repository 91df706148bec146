namespace ActorRL.Actors.Tests;

public class MailboxTests
{
    private static readonly TimeSpan Timeout = TestProbe.DefaultTimeout;

    /// <summary>Holds its turn on a <see cref="Task"/> message, reports every number, and tells when it starts holding.</summary>
    private sealed class Gated : ReceiveActor
    {
        public Gated(IActorRef report)
        {
            ReceiveAsync<Task>(gate =>
            {
                report.Tell("holding");
                return gate;
            });
            Receive<int>(n => report.Tell(n));
        }
    }

    [Fact]
    public async Task ABurstLargerThanTheThroughputIsHandledWithoutFurtherMessages()
    {
        await using var system = ActorSystem.Create("burst", new ActorSystemOptions { Throughput = 10 });
        var probe = new TestProbe(system);
        var actor = system.ActorOf(Props.Create(() => new Gated(probe.Ref)), "a");

        for (int n = 0; n < 1000; n++) actor.Tell(n);

        // Nothing else is sent: the mailbox must reschedule itself after every turn of 10 messages.
        for (int n = 0; n < 1000; n++) await probe.ExpectMsgAsync(n);
    }

    [Fact]
    public async Task TellBlocksOnAFullBoundedMailboxAndLosesNothing()
    {
        await using var system = ActorSystem.Create("bounded");
        var probe = new TestProbe(system);
        var props = Props.Create(() => new Gated(probe.Ref)).WithMailbox(MailboxOptions.Bounded(2, TimeSpan.FromSeconds(30)));
        var actor = system.ActorOf(props, "bounded");
        var gate = new TaskCompletionSource();
        actor.Tell(gate.Task);
        await probe.ExpectMsgAsync("holding");
        actor.Tell(1);
        actor.Tell(2); // the mailbox is now full

        using var sent = new ManualResetEventSlim();
        var sender = new Thread(() =>
        {
            actor.Tell(3);
            actor.Tell(4);
            sent.Set();
        });
        sender.Start();

        Assert.False(sent.Wait(TimeSpan.FromMilliseconds(300)), "Tell should block while the mailbox is full");
        gate.SetResult();
        Assert.True(sent.Wait(Timeout), "Tell should return once there is room");
        sender.Join();
        for (int n = 1; n <= 4; n++) await probe.ExpectMsgAsync(n);
        await probe.ExpectNoMsgAsync();
    }

    [Fact]
    public async Task TellAsyncWaitsForRoomWithoutBlocking()
    {
        await using var system = ActorSystem.Create("tellasync");
        var probe = new TestProbe(system);
        var props = Props.Create(() => new Gated(probe.Ref)).WithMailbox(MailboxOptions.Bounded(1));
        var actor = system.ActorOf(props, "bounded");
        var gate = new TaskCompletionSource();
        actor.Tell(gate.Task);
        await probe.ExpectMsgAsync("holding");
        await actor.TellAsync(1); // fills the mailbox

        ValueTask second = actor.TellAsync(2);
        ValueTask third = actor.TellAsync(3);
        await Task.Delay(200);
        Assert.False(second.IsCompleted);
        Assert.False(third.IsCompleted);

        gate.SetResult();
        await second.AsTask().WaitAsync(Timeout);
        await third.AsTask().WaitAsync(Timeout);
        for (int n = 1; n <= 3; n++) await probe.ExpectMsgAsync(n);
    }

    [Fact]
    public async Task TellAsyncOnAFullMailboxHonoursCancellation()
    {
        await using var system = ActorSystem.Create("tellcancel");
        var probe = new TestProbe(system);
        var props = Props.Create(() => new Gated(probe.Ref)).WithMailbox(MailboxOptions.Bounded(1));
        var actor = system.ActorOf(props, "bounded");
        var gate = new TaskCompletionSource();
        actor.Tell(gate.Task);
        await probe.ExpectMsgAsync("holding");
        actor.Tell(1);
        using var cts = new CancellationTokenSource();

        ValueTask blocked = actor.TellAsync(2, cancellationToken: cts.Token);
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => blocked.AsTask());
        gate.SetResult();
        await probe.ExpectMsgAsync(1);
        await probe.ExpectNoMsgAsync();
    }

    [Fact]
    public async Task APushTimeoutSendsTheMessageToDeadLetters()
    {
        await using var system = ActorSystem.Create("pushtimeout");
        var probe = new TestProbe(system);
        var deadLetters = new TestProbe(system);
        system.EventStream.Subscribe<DeadLetter>(deadLetters.Ref);
        var props = Props.Create(() => new Gated(probe.Ref)).WithMailbox(MailboxOptions.Bounded(1, TimeSpan.FromMilliseconds(100)));
        var actor = system.ActorOf(props, "bounded");
        var gate = new TaskCompletionSource();
        actor.Tell(gate.Task);
        await probe.ExpectMsgAsync("holding");
        actor.Tell(1);

        await Task.Run(() => actor.Tell(2)); // waits for the push timeout, then gives up

        var letter = await deadLetters.ExpectMsgAsync<DeadLetter>();
        Assert.Equal(2, letter.Message);
        Assert.Equal(actor, letter.Recipient);
        gate.SetResult();
        await probe.ExpectMsgAsync(1);
        await probe.ExpectNoMsgAsync();
    }

    [Fact]
    public void MailboxOptionsRejectANonPositiveCapacity()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MailboxOptions.Bounded(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ActorSystem.Create("zero", new ActorSystemOptions { Throughput = 0 }));
    }
}

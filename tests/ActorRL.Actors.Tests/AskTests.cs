namespace ActorRL.Actors.Tests;

public class AskTests
{
    private static readonly TimeSpan Timeout = TestProbe.DefaultTimeout;

    private sealed record Question(string Text);

    private sealed record Unanswered;

    /// <summary>Answers a question with its text, a number with a failure, and ignores the rest.</summary>
    private sealed class Oracle : ReceiveActor
    {
        public Oracle()
        {
            Receive<Question>(q => Sender.Tell(q.Text));
            Receive<int>(n => Sender.Tell(new Status.Failure(new InvalidOperationException($"cannot answer {n}"))));
            Receive<Unanswered>(_ => { });
        }
    }

    [Fact]
    public async Task AskReturnsTheReply()
    {
        await using var system = ActorSystem.Create("ask");
        var oracle = system.ActorOf(Props.Create<Oracle>(), "oracle");

        Assert.Equal("42", await oracle.Ask<string>(new Question("42"), Timeout));
    }

    [Fact]
    public async Task AskTimesOutWithAnExceptionNamingThePathAndTheMessageType()
    {
        await using var system = ActorSystem.Create("asktimeout");
        var oracle = system.ActorOf(Props.Create<Oracle>(), "oracle");

        var e = await Assert.ThrowsAsync<AskTimeoutException>(() => oracle.Ask<string>(new Unanswered(), TimeSpan.FromMilliseconds(150)));

        Assert.Contains("actorrl://asktimeout/user/oracle", e.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(Unanswered), e.Message, StringComparison.Ordinal);
        Assert.Contains("150", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AStatusFailureReplyIsRethrown()
    {
        await using var system = ActorSystem.Create("askfailure");
        var oracle = system.ActorOf(Props.Create<Oracle>(), "oracle");

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => oracle.Ask<string>(7, Timeout));
        Assert.Equal("cannot answer 7", e.Message);

        // Also when any reply type is accepted: a failure is still a failure.
        await Assert.ThrowsAsync<InvalidOperationException>(() => oracle.Ask<object>(8, Timeout));
        // Unless the failure itself is what was asked for.
        var failure = await oracle.Ask<Status.Failure>(9, Timeout);
        Assert.Equal("cannot answer 9", failure.Cause.Message);
    }

    [Fact]
    public async Task AReplyOfTheWrongTypeThrowsInvalidCast()
    {
        await using var system = ActorSystem.Create("askcast");
        var oracle = system.ActorOf(Props.Create<Oracle>(), "oracle");

        var e = await Assert.ThrowsAsync<InvalidCastException>(() => oracle.Ask<int>(new Question("not a number"), Timeout));

        Assert.Contains("Int32", e.Message, StringComparison.Ordinal);
        Assert.Contains("String", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CancellingTheTokenCancelsTheAsk()
    {
        await using var system = ActorSystem.Create("askcancel");
        var oracle = system.ActorOf(Props.Create<Oracle>(), "oracle");
        using var cts = new CancellationTokenSource();

        Task<string> pending = oracle.Ask<string>(new Unanswered(), Timeout, cts.Token);
        await Task.Delay(50);
        Assert.False(pending.IsCompleted);
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
    }

    [Fact]
    public async Task AskingAStoppedActorTimesOut()
    {
        await using var system = ActorSystem.Create("askdead");
        var oracle = system.ActorOf(Props.Create<Oracle>(), "oracle");
        Assert.True(await oracle.GracefulStop(Timeout));

        await Assert.ThrowsAsync<AskTimeoutException>(() => oracle.Ask<string>(new Question("anyone?"), TimeSpan.FromMilliseconds(100)));
    }
}

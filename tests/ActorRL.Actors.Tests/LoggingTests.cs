using Microsoft.Extensions.Logging;

namespace ActorRL.Actors.Tests;

public class LoggingTests
{
    private static readonly TimeSpan Timeout = TestProbe.DefaultTimeout;

    /// <summary>An actor system whose logger factory captures everything.</summary>
    private sealed class LoggedSystem : IAsyncDisposable
    {
        private readonly ILoggerFactory factory;

        public LoggedSystem(string name, ActorSystemOptions? options = null)
        {
            factory = LoggerFactory.Create(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Trace));
            System = ActorSystem.Create(name, options, factory);
        }

        public ActorSystem System { get; }

        public InMemoryLoggerProvider Logs { get; } = new();

        public async ValueTask DisposeAsync()
        {
            await System.DisposeAsync();
            factory.Dispose();
        }
    }

    [Fact]
    public async Task TheSupervisorLogsAChildsFailureWithItsException()
    {
        await using var logged = new LoggedSystem("supervisorlog");
        var (system, logs) = (logged.System, logged.Logs);
        var journal = new Journal();
        var worker = system.ActorOf(Worker.Props(journal), "w");
        var cause = new InvalidOperationException("logged failure");

        worker.Tell(new Fail(cause));
        await journal.WaitForAsync("PostRestart w");

        LogEntry entry = Assert.Single(logs.Entries, e => ReferenceEquals(e.Exception, cause));
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.Contains("actorrl://supervisorlog/user/w", entry.Message, StringComparison.Ordinal);
        Assert.Contains("restarting", entry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeadLettersAreLoggedUpToTheLimitAndAllPublished()
    {
        await using var logged = new LoggedSystem("deadletterlog", new ActorSystemOptions { DeadLetterLogLimit = 3 });
        var (system, logs) = (logged.System, logged.Logs);
        var probe = new TestProbe(system);
        system.EventStream.Subscribe<DeadLetter>(probe.Ref);
        var worker = system.ActorOf(Worker.Props(new Journal()), "w");
        Assert.True(await worker.GracefulStop(Timeout));

        for (int i = 0; i < 10; i++) worker.Tell(i);

        for (int i = 0; i < 10; i++) Assert.Equal(i, (await probe.ExpectMsgAsync<DeadLetter>()).Message);
        var letters = logs.Entries.Where(e => e.Category == "ActorRL.Actors.DeadLetters").ToList();
        Assert.Equal(3, letters.Count);
        Assert.All(letters, e => Assert.Equal(LogLevel.Information, e.Level));
        Assert.Contains("Int32", letters[0].Message, StringComparison.Ordinal);
        Assert.Contains("actorrl://deadletterlog/user/w", letters[0].Message, StringComparison.Ordinal);
        Assert.Contains("further dead letters", letters[2].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnhandledMessagesAreLoggedAsWarnings()
    {
        await using var logged = new LoggedSystem("unhandledlog");
        var (system, logs) = (logged.System, logged.Logs);
        var probe = new TestProbe(system);
        system.EventStream.Subscribe<UnhandledMessage>(probe.Ref);
        var worker = system.ActorOf(Worker.Props(new Journal()), "w");

        worker.Tell(2.5);
        await probe.ExpectMsgAsync<UnhandledMessage>();

        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("Double", StringComparison.Ordinal)
            && e.Message.Contains("actorrl://unhandledlog/user/w", StringComparison.Ordinal));
    }

    /// <summary>Logs through its context.</summary>
    private sealed class Chatty : ReceiveActor
    {
        public Chatty() => Receive<string>(s =>
        {
            Context.Log.LogInformation("heard {Text}", s);
            Sender.Tell(s);
        });
    }

    [Fact]
    public async Task AnActorLogsUnderItsTypeName()
    {
        await using var logged = new LoggedSystem("actorlog");
        var (system, logs) = (logged.System, logged.Logs);
        var chatty = system.ActorOf(Props.Create<Chatty>(), "chatty");

        await chatty.Ask<string>("hello", Timeout);

        LogEntry entry = Assert.Single(logs.Entries, e => e.Message == "heard hello");
        Assert.EndsWith(nameof(Chatty), entry.Category, StringComparison.Ordinal);
    }
}

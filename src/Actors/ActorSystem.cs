using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ActorRL.Actors;

/// <summary>Settings of an actor system.</summary>
public sealed record ActorSystemOptions
{
    /// <summary>Messages an actor handles per turn before yielding its thread to other actors.</summary>
    public int Throughput { get; init; } = 100;

    /// <summary>Dead letters logged individually before logging stops (they are still published).</summary>
    public int DeadLetterLogLimit { get; init; } = 100;

    /// <summary>How the user guardian supervises top-level actors.</summary>
    public SupervisorStrategy GuardianStrategy { get; init; } = SupervisorStrategy.Default;
}

/// <summary>
/// A named hierarchy of actors: the root guardian <c>/</c>, the user guardian <c>/user</c> (parent of
/// everything created with <see cref="ActorOf"/>) and the system guardian <c>/system</c>.
/// <see cref="Terminate"/> stops user actors (children before parents), then the kernel's own.
/// </summary>
public sealed class ActorSystem : IAsyncDisposable
{
    private readonly LocalActorRef root;
    private readonly LocalActorRef userGuardian;
    private readonly LocalActorRef systemGuardian;
    private readonly TaskCompletionSource whenTerminated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ILogger deadLetterLog;
    private readonly ILogger kernelLog;
    private int deadLettersLogged;
    private int terminating;

    private ActorSystem(string name, ActorSystemOptions options, ILoggerFactory loggerFactory)
    {
        Name = name;
        Options = options;
        Throughput = options.Throughput;
        LoggerFactory = loggerFactory;
        deadLetterLog = loggerFactory.CreateLogger("ActorRL.Actors.DeadLetters");
        kernelLog = loggerFactory.CreateLogger<ActorSystem>();
        Address = new Address(name);
        DeadLetters = new DeadLetterActorRef(this, ActorPath.Root(Address).Child("deadLetters"));

        var bubble = new TopLevelSupervisor(this, ActorPath.Root(Address));
        root = new LocalActorRef(ActorPath.Root(Address), NewUid());
        root.Cell = new ActorCell(this, root, Props.Create(() => new Guardian(SupervisorStrategy.StoppingStrategy)), bubble, new Mailbox(MailboxOptions.Unbounded));
        root.SendSystemMessage(new Create());
        userGuardian = (LocalActorRef)root.Cell.ActorOf(Props.Create(() => new Guardian(options.GuardianStrategy)), "user", systemNamed: true);
        systemGuardian = (LocalActorRef)root.Cell.ActorOf(Props.Create(() => new Guardian(SupervisorStrategy.Default)), "system", systemNamed: true);
    }

    /// <summary>Creates and starts an actor system.</summary>
    /// <param name="name">Letters, digits, '-' and '_'; part of every actor path.</param>
    /// <param name="options">Settings; defaults when null.</param>
    /// <param name="loggerFactory">Where the kernel and actors log; nothing is logged when null.</param>
    public static ActorSystem Create(string name, ActorSystemOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw new ArgumentException($"actor system name '{name}' may contain only letters, digits, '-' and '_'", nameof(name));
        }
        options ??= new ActorSystemOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Throughput, 1, nameof(options.Throughput));
        return new ActorSystem(name, options, loggerFactory ?? NullLoggerFactory.Instance);
    }

    /// <summary>The system's name.</summary>
    public string Name { get; }

    /// <summary>The system's address (local until it joins a cluster).</summary>
    public Address Address { get; }

    /// <summary>The settings.</summary>
    public ActorSystemOptions Options { get; }

    internal int Throughput { get; }

    /// <summary>The logger factory of the kernel and the actors.</summary>
    public ILoggerFactory LoggerFactory { get; }

    /// <summary>Where undeliverable messages go; each is published as <see cref="DeadLetter"/>.</summary>
    public IActorRef DeadLetters { get; }

    /// <summary>The system's publish/subscribe bus.</summary>
    public EventStream EventStream { get; } = new();

    /// <summary>Completes when <see cref="Terminate"/> has stopped every actor.</summary>
    public Task WhenTerminated => whenTerminated.Task;

    /// <summary>Creates a top-level actor under <c>/user</c>.</summary>
    public IActorRef ActorOf(Props props, string? name = null) => userGuardian.Cell.ActorOf(props, name);

    /// <summary>Stops an actor (after the message it is handling); its children stop first.</summary>
    public void Stop(IActorRef actor)
    {
        if (actor is IInternalActorRef target) target.SendSystemMessage(new Terminate());
    }

    /// <summary>Stops all user actors (children before parents), then the kernel's; idempotent.</summary>
    public Task Terminate()
    {
        if (Interlocked.Exchange(ref terminating, 1) == 0)
        {
            _ = userGuardian.Cell.WhenTerminated.ContinueWith(_ => systemGuardian.SendSystemMessage(new Terminate()), TaskScheduler.Default);
            _ = systemGuardian.Cell.WhenTerminated.ContinueWith(_ => root.SendSystemMessage(new Terminate()), TaskScheduler.Default);
            _ = root.Cell.WhenTerminated.ContinueWith(_ => whenTerminated.TrySetResult(), TaskScheduler.Default);
            userGuardian.SendSystemMessage(new Terminate());
        }
        return WhenTerminated;
    }

    /// <summary>Terminates the system and waits for it.</summary>
    public async ValueTask DisposeAsync() => await Terminate().ConfigureAwait(false);

    /// <inheritdoc/>
    public override string ToString() => Address.ToString();

    internal static long NewUid()
    {
        long uid;
        do uid = Random.Shared.NextInt64(); while (uid == 0);
        return uid;
    }

    /// <summary>Checks a child name: no '/', '#' or whitespace, not empty, and '$' first only for the kernel's names.</summary>
    internal static string ValidateName(string name, bool allowReserved)
    {
        if (string.IsNullOrEmpty(name)) throw new InvalidActorNameException("actor name must not be empty");
        if (name[0] == '$' && !allowReserved) throw new InvalidActorNameException($"actor name '{name}' must not start with '$' (reserved for generated names)");
        foreach (char c in name)
        {
            if (c is '/' or '#' or '?' or '%' || char.IsWhiteSpace(c) || char.IsControl(c))
            {
                throw new InvalidActorNameException($"actor name '{name}' contains '{c}'; use letters, digits and -_.:@");
            }
        }
        return name;
    }

    /// <summary>The live actor at <paramref name="pathWithoutAddress"/> (e.g. <c>/user/rlhf/learner</c>) in this
    /// system, or null when there is none.</summary>
    internal IActorRef? ResolveLocal(string pathWithoutAddress)
    {
        LocalActorRef current = root;
        foreach (string name in pathWithoutAddress.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (current.Cell.Child(name) is not LocalActorRef child) return null;
            current = child;
        }
        return current.IsTerminated ? null : current;
    }

    internal void DeadLetter(object message, IActorRef? sender, IActorRef recipient)
    {
        if (message is DeadLetter) return; // never publish dead letters about dead letters
        var letter = new DeadLetter(message, sender, recipient);
        int n = Interlocked.Increment(ref deadLettersLogged);
        if (n <= Options.DeadLetterLogLimit)
        {
            deadLetterLog.LogInformation("Dead letter: {MessageType} from {Sender} to {Recipient}{Suffix}",
                message.GetType().Name, sender?.Path.ToString() ?? "no sender", recipient.Path,
                n == Options.DeadLetterLogLimit ? " (further dead letters are published but not logged)" : "");
        }
        EventStream.Publish(letter);
    }

    internal void PublishUnhandled(UnhandledMessage message)
    {
        kernelLog.LogWarning("Unhandled {MessageType} from {Sender} in {Recipient}",
            message.Message.GetType().Name, message.Sender?.Path.ToString() ?? "no sender", message.Recipient.Path);
        EventStream.Publish(message);
    }

    internal void ReportKernelFault(IActorRef actor, Exception e) =>
        kernelLog.LogCritical(e, "kernel fault while running {Actor}", actor.Path);

    /// <summary>The guardians: actors that only supervise.</summary>
    private sealed class Guardian(SupervisorStrategy strategy) : ActorBase
    {
        public override SupervisorStrategy SupervisorStrategy => strategy;

        protected internal override ValueTask<bool> ReceiveAsync(object message) => new(false);

        // A guardian's children are never stopped by a restart of the guardian itself.
        protected internal override void PreRestart(Exception reason, object? message) { }
    }

    /// <summary>The parent of the root guardian: stops whatever fails at the top.</summary>
    private sealed class TopLevelSupervisor(ActorSystem system, ActorPath path) : IInternalActorRef
    {
        public ActorPath Path { get; } = path.Child("bubble-walker");

        public long Uid => 0;

        public bool IsTerminated => false;

        public void Tell(object message, IActorRef? sender = null) => system.DeadLetter(message, sender, this);

        public void SendSystemMessage(SystemMessage message)
        {
            if (message is Failed f)
            {
                system.kernelLog.LogCritical(f.Cause, "the root guardian failed; stopping it");
                ((IInternalActorRef)f.Child).SendSystemMessage(new Terminate());
            }
        }

        public bool Equals(IActorRef? other) => ReferenceEquals(this, other);
    }

    /// <summary>The dead-letter office: everything told to it is published as a dead letter.</summary>
    private sealed class DeadLetterActorRef(ActorSystem system, ActorPath path) : IInternalActorRef
    {
        public ActorPath Path { get; } = path;

        public long Uid => 0;

        public bool IsTerminated => false;

        public void Tell(object message, IActorRef? sender = null) => system.DeadLetter(message, sender, this);

        public void SendSystemMessage(SystemMessage message)
        {
            if (message is Watch w) w.Watcher.SendSystemMessage(new DeathWatchNotification(this));
        }

        public bool Equals(IActorRef? other) => ReferenceEquals(this, other);

        public override string ToString() => Path.ToString();
    }
}

using Microsoft.Extensions.Logging;

namespace ActorRL.Actors;

/// <summary>
/// The kernel's side of one actor: its instance, mailbox, children, watchers, stash, timers and
/// lifecycle state. Everything here except creating children and the read-only properties runs
/// on the actor's own turn (inside <see cref="Mailbox"/>'s run loop), so it needs no locks.
/// </summary>
internal sealed class ActorCell : IActorContext
{
    [ThreadStatic] internal static ActorCell? Constructing;

    private enum State { Created, Running, Suspended, Terminating, Terminated }

    private readonly IInternalActorRef parent;
    private readonly Lock childrenLock = new();
    private readonly Dictionary<string, LocalActorRef> children = new(StringComparer.Ordinal);
    private readonly HashSet<IActorRef> stoppingChildren = [];
    private readonly Dictionary<IActorRef, ChildRestartStats> restartStats = [];
    private readonly HashSet<IActorRef> watching = [];
    private readonly HashSet<IActorRef> watchedBy = [];
    private readonly Dictionary<IActorRef, Terminated> terminatedQueued = [];
    private readonly List<Envelope> stash = [];
    private readonly TaskCompletionSource whenTerminated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ActorBase? actor;
    private Envelope current;
    private object? failedMessage;
    private volatile State state = State.Created;
    private Exception? pendingRecreate;
    private bool awaitingDirective; // told the parent of a failure; cleared by its Resume or Recreate
    private TimerScheduler? timers;
    private Timer? receiveTimeoutTimer;
    private ILogger? log;
    private long autoNames;

    public ActorCell(ActorSystem system, LocalActorRef self, Props props, IInternalActorRef parent, Mailbox mailbox)
    {
        System = system;
        SelfRef = self;
        Props = props;
        this.parent = parent;
        Mailbox = mailbox;
        mailbox.Attach(this);
    }

    public ActorSystem System { get; }

    public LocalActorRef SelfRef { get; }

    public IActorRef Self => SelfRef;

    public Props Props { get; }

    public Mailbox Mailbox { get; }

    public IActorRef Parent => parent;

    public IActorRef Sender => current.Sender ?? System.DeadLetters;

    public IActorRef? CurrentSender => current.Sender;

    public bool CanProcessUserMessages => state == State.Running;

    public bool IsTerminated => state == State.Terminated;

    public Task WhenTerminated => whenTerminated.Task;

    public ILogger Log => log ??= System.LoggerFactory.CreateLogger(Props.ActorType);

    public ITimerScheduler Timers => timers ??= new TimerScheduler(SelfRef);

    public TimeSpan? ReceiveTimeout { get; private set; }

    public IReadOnlyCollection<IActorRef> Children
    {
        get
        {
            lock (childrenLock) return [.. children.Values];
        }
    }

    public IActorRef? Child(string name)
    {
        lock (childrenLock) return children.GetValueOrDefault(name);
    }

    // ---- creating children (also called from outside the actor for guardians) ----

    public IActorRef ActorOf(Props props, string? name = null) => ActorOf(props, name, systemNamed: false);

    internal IActorRef ActorOf(Props props, string? name, bool systemNamed)
    {
        ArgumentNullException.ThrowIfNull(props);
        if (props.Router is { } router) props = Routing.RouterActor.PropsFor(router, props with { Router = null });
        LocalActorRef child;
        lock (childrenLock)
        {
            if (state is State.Terminating or State.Terminated)
            {
                throw new InvalidOperationException($"{Self.Path} is stopping and cannot create children");
            }
            name = name is null ? "$" + ToBase26(autoNames++) : ActorSystem.ValidateName(name, allowReserved: systemNamed);
            if (children.ContainsKey(name))
            {
                throw new InvalidActorNameException($"actor name '{name}' is not unique under {Self.Path}");
            }
            var mailbox = new Mailbox(props.Mailbox);
            child = new LocalActorRef(Self.Path.Child(name), ActorSystem.NewUid());
            child.Cell = new ActorCell(System, child, props, SelfRef, mailbox);
            children.Add(name, child);
        }
        child.SendSystemMessage(new Create());
        return child;
    }

    private static string ToBase26(long n)
    {
        var chars = new Stack<char>();
        do
        {
            chars.Push((char)('a' + (n % 26)));
            n = n / 26 - 1;
        }
        while (n >= 0);
        return new string([.. chars]);
    }

    // ---- user messages ----

    public ValueTask InvokeAsync(Envelope envelope)
    {
        current = envelope;
        object message = envelope.Message;
        try
        {
            switch (message)
            {
                case PoisonPill:
                    BeginTerminate();
                    return Done();
                case Kill:
                    throw new ActorKilledException($"{Self.Path} received Kill");
                case TimerScheduler.TimerMessage timer:
                    if (timers is null || !timers.Accept(timer)) return Done();
                    message = timer.Message;
                    break;
                case Terminated t when terminatedQueued.TryGetValue(t.ActorRef, out Terminated? queued) && ReferenceEquals(t, queued):
                    terminatedQueued.Remove(t.ActorRef);
                    if (!watching.Remove(t.ActorRef)) return Done(); // unwatched while the notice was queued
                    break;
            }
            ValueTask<bool> handled = actor!.ReceiveAsync(message);
            if (!handled.IsCompletedSuccessfully) return AwaitHandler(handled, message);
            AfterHandler(handled.Result, message);
        }
        catch (Exception e)
        {
            Fail(e, message);
        }
        return Done();
    }

    private ValueTask Done()
    {
        current = default;
        return ValueTask.CompletedTask;
    }

    private async ValueTask AwaitHandler(ValueTask<bool> pending, object message)
    {
        try
        {
            AfterHandler(await pending.ConfigureAwait(false), message);
        }
        catch (Exception e)
        {
            Fail(e, message);
        }
        current = default;
    }

    private void AfterHandler(bool handled, object message)
    {
        if (!handled) actor!.HandleUnhandled(message);
        // Re-armed after every message, ReceiveTimeout included: an actor that stays idle hears it again each period.
        if (ReceiveTimeout is { } timeout) receiveTimeoutTimer?.Change(timeout, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The actor threw: suspend it and ask the parent what to do.</summary>
    private void Fail(Exception cause, object? message)
    {
        if (state is State.Terminating or State.Terminated)
        {
            Log.LogError(cause, "{Actor} threw while stopping", Self.Path);
            return;
        }
        state = State.Suspended;
        if (awaitingDirective)
        {
            // One decision per failure episode: escalating every further child failure would restart this actor
            // once per failing child and spend its supervisor's retry budget as many times.
            Log.LogError(cause, "{Actor} failed again while its supervisor decides on an earlier failure", Self.Path);
            return;
        }
        awaitingDirective = true;
        failedMessage = message;
        parent.SendSystemMessage(new Failed(Self, cause, SelfRef.Uid));
    }

    // ---- system messages ----

    public void HandleSystem(SystemMessage message)
    {
        if (state == State.Terminated)
        {
            // Late arrivals after the actor stopped: a watcher still learns of the death.
            if (message is Watch w && !w.Watcher.Equals(Self)) w.Watcher.SendSystemMessage(new DeathWatchNotification(Self));
            return;
        }
        switch (message)
        {
            case Create:
                CreateActor();
                break;
            case Resume r when actor is null && state == State.Suspended:
                // Nothing to resume: the constructor or PreStart failed, so the only way on is a fresh instance.
                Restart(r.Cause ?? new InvalidOperationException($"{Self.Path} was resumed before it started"));
                break;
            case Resume:
                if (state == State.Suspended && pendingRecreate is null)
                {
                    awaitingDirective = false;
                    state = State.Running;
                    foreach (IActorRef child in Children) ((IInternalActorRef)child).SendSystemMessage(new Resume(null));
                }
                break;
            case Recreate r:
                Restart(r.Cause);
                break;
            case Terminate:
                BeginTerminate();
                break;
            case Failed f:
                HandleChildFailure(f);
                break;
            case ChildTerminated ct:
                HandleChildTerminated(ct.Child);
                break;
            case Watch w:
                if (w.Watchee.Equals(Self) && !w.Watcher.Equals(Self)) watchedBy.Add(w.Watcher);
                break;
            case Unwatch u:
                if (u.Watchee.Equals(Self)) watchedBy.Remove(u.Watcher);
                break;
            case DeathWatchNotification d:
                // Terminated goes behind the user messages already queued, as in Akka: whatever the watched actor
                // sent before it stopped is handled before its Terminated. Queued once; InvokeAsync drops it if unwatched.
                if (state != State.Terminating && watching.Contains(d.Actor) && !terminatedQueued.ContainsKey(d.Actor))
                {
                    var notice = new Terminated(d.Actor);
                    terminatedQueued.Add(d.Actor, notice);
                    Mailbox.PostFromOwnTurn(new Envelope(notice, d.Actor));
                }
                break;
        }
    }

    private ActorBase NewActor()
    {
        Constructing = this;
        try
        {
            ActorBase instance = Props.Factory();
            if (!ReferenceEquals(instance.Cell, this))
            {
                throw new InvalidOperationException("the props' factory must create a new actor instance on each call");
            }
            return instance;
        }
        finally
        {
            Constructing = null;
        }
    }

    private void CreateActor()
    {
        try
        {
            actor = NewActor();
            actor.PreStart();
            state = State.Running;
        }
        catch (Exception e)
        {
            Fail(new ActorInitializationException(Self, e), null);
        }
    }

    private void Restart(Exception cause)
    {
        if (state is State.Terminating or State.Terminated) return;
        state = State.Suspended;
        awaitingDirective = false;
        CancelTimers();
        if (actor is not null)
        {
            try
            {
                actor.PreRestart(cause, failedMessage);
            }
            catch (Exception e)
            {
                Log.LogError(e, "{Actor} threw in PreRestart", Self.Path);
            }
        }
        failedMessage = null;
        Mailbox.Prepend(stash);
        stash.Clear();
        if (stoppingChildren.Count > 0)
        {
            pendingRecreate = cause; // finish once the children stopped by PreRestart are gone
            return;
        }
        FinishRecreate(cause);
    }

    private void FinishRecreate(Exception cause)
    {
        pendingRecreate = null;
        try
        {
            actor = NewActor();
            actor.PostRestart(cause);
            state = State.Running;
        }
        catch (Exception e)
        {
            Fail(new ActorInitializationException(Self, e), null);
        }
    }

    // ---- supervision of children ----

    private void HandleChildFailure(Failed f)
    {
        LocalActorRef? child;
        lock (childrenLock) child = children.GetValueOrDefault(f.Child.Path.Name);
        if (child is null || child.Uid != f.Uid || stoppingChildren.Contains(child)) return;

        SupervisorStrategy strategy = actor?.SupervisorStrategy ?? Props.SupervisorStrategy ?? SupervisorStrategy.Default;
        Directive directive;
        try
        {
            directive = strategy.Decider(f.Cause);
        }
        catch (Exception e)
        {
            Log.LogError(e, "the supervisor strategy of {Actor} threw; escalating", Self.Path);
            directive = Directive.Escalate;
        }
        IReadOnlyCollection<IActorRef> targets = strategy.AppliesToAllChildren ? Children : [child];

        switch (directive)
        {
            case Directive.Resume:
                Log.LogWarning(f.Cause, "{Child} failed; resuming", child.Path);
                child.SendSystemMessage(new Resume(f.Cause));
                break;
            case Directive.Restart:
                var stats = restartStats.TryGetValue(child, out var s) ? s : restartStats[child] = new ChildRestartStats();
                if (!stats.RequestRestart(strategy, DateTime.UtcNow))
                {
                    Log.LogError(f.Cause, "{Child} failed and exhausted its retry budget ({Max} restarts within {Within}); stopping it",
                        child.Path, strategy.MaxRetries, strategy.Within);
                    foreach (IActorRef t in targets) Stop(t);
                    break;
                }
                TimeSpan delay = strategy.Backoff.DelayFor(stats.Restarts);
                Log.LogError(f.Cause, "{Child} failed; restarting {Count} actor(s) (restart {N}, after {Delay})",
                    child.Path, targets.Count, stats.Restarts, delay);
                foreach (IActorRef t in targets) SendAfter((IInternalActorRef)t, new Recreate(f.Cause), delay);
                break;
            case Directive.Stop:
                Log.LogError(f.Cause, "{Child} failed; stopping {Count} actor(s)", child.Path, targets.Count);
                foreach (IActorRef t in targets) Stop(t);
                break;
            case Directive.Escalate:
                Log.LogError(f.Cause, "{Child} failed; escalating to the supervisor of {Actor}", child.Path, Self.Path);
                Fail(f.Cause, null);
                break;
        }
    }

    private static void SendAfter(IInternalActorRef target, SystemMessage message, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            target.SendSystemMessage(message);
            return;
        }
        _ = Task.Delay(delay).ContinueWith(_ => target.SendSystemMessage(message), TaskScheduler.Default);
    }

    private void HandleChildTerminated(IActorRef child)
    {
        lock (childrenLock)
        {
            if (children.TryGetValue(child.Path.Name, out var c) && c.Equals(child)) children.Remove(child.Path.Name);
        }
        stoppingChildren.Remove(child);
        restartStats.Remove(child);
        bool none;
        lock (childrenLock) none = children.Count == 0;
        if (state == State.Terminating && none) FinishTerminate();
        else if (pendingRecreate is { } cause && stoppingChildren.Count == 0) FinishRecreate(cause);
    }

    // ---- stopping ----

    public void Stop(IActorRef actorRef)
    {
        ArgumentNullException.ThrowIfNull(actorRef);
        if (actorRef.Equals(Self))
        {
            SelfRef.SendSystemMessage(new Terminate());
            return;
        }
        LocalActorRef? child;
        lock (childrenLock) child = children.GetValueOrDefault(actorRef.Path.Name);
        if (child is null || !child.Equals(actorRef))
        {
            throw new InvalidOperationException($"{Self.Path} can stop only itself and its children, not {actorRef.Path}; send it a PoisonPill");
        }
        stoppingChildren.Add(child);
        child.SendSystemMessage(new Terminate());
    }

    private void BeginTerminate()
    {
        if (state is State.Terminating or State.Terminated) return;
        state = State.Terminating;
        CancelTimers();
        IReadOnlyCollection<IActorRef> kids = Children;
        foreach (IActorRef child in kids)
        {
            stoppingChildren.Add(child);
            ((IInternalActorRef)child).SendSystemMessage(new Terminate());
        }
        if (kids.Count == 0) FinishTerminate();
    }

    private void FinishTerminate()
    {
        if (actor is not null)
        {
            try
            {
                actor.PostStop();
            }
            catch (Exception e)
            {
                Log.LogError(e, "{Actor} threw in PostStop", Self.Path);
            }
        }
        state = State.Terminated;
        actor = null;
        foreach (Envelope e in Mailbox.Close()) System.DeadLetter(e.Message, e.Sender, Self);
        foreach (Envelope e in stash) System.DeadLetter(e.Message, e.Sender, Self);
        stash.Clear();
        foreach (IActorRef w in watching) ((IInternalActorRef)w).SendSystemMessage(new Unwatch((IInternalActorRef)w, SelfRef));
        watching.Clear();
        terminatedQueued.Clear();
        // Unsubscribed before watchers hear of the death, so that none of them can still publish to it afterwards.
        System.EventStream.UnsubscribeAll(Self);
        foreach (IActorRef w in watchedBy) ((IInternalActorRef)w).SendSystemMessage(new DeathWatchNotification(Self));
        watchedBy.Clear();
        parent.SendSystemMessage(new ChildTerminated(Self));
        whenTerminated.TrySetResult();
    }

    // ---- watch, become, stash, timeouts ----

    public IActorRef Watch(IActorRef actorRef)
    {
        if (actorRef is not IInternalActorRef target) throw new ArgumentException($"{actorRef} cannot be watched", nameof(actorRef));
        if (!actorRef.Equals(Self) && watching.Add(actorRef)) target.SendSystemMessage(new Watch(target, SelfRef));
        return actorRef;
    }

    public IActorRef Unwatch(IActorRef actorRef)
    {
        if (actorRef is IInternalActorRef target && watching.Remove(actorRef))
        {
            target.SendSystemMessage(new Unwatch(target, SelfRef));
        }
        return actorRef;
    }

    public void Become(Action configure, bool discardOld = true) => AsReceiveActor().Become(configure, discardOld);

    public void Unbecome() => AsReceiveActor().Unbecome();

    private ReceiveActor AsReceiveActor() => actor as ReceiveActor
        ?? throw new InvalidOperationException("Become/Unbecome need an actor derived from ReceiveActor");

    public void Stash()
    {
        if (current.Message is null) throw new InvalidOperationException("Stash is possible only while handling a message");
        stash.Add(current);
    }

    public void UnstashAll()
    {
        Mailbox.Prepend(stash);
        stash.Clear();
    }

    public void SetReceiveTimeout(TimeSpan? timeout)
    {
        ReceiveTimeout = timeout;
        receiveTimeoutTimer?.Dispose();
        receiveTimeoutTimer = null;
        if (timeout is { } t)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(t, TimeSpan.Zero, nameof(timeout));
            LocalActorRef self = SelfRef;
            receiveTimeoutTimer = new Timer(_ => self.Tell(Actors.ReceiveTimeout.Instance, self), null, t, Timeout.InfiniteTimeSpan);
        }
    }

    private void CancelTimers()
    {
        timers?.CancelAll();
        SetReceiveTimeout(null);
    }
}

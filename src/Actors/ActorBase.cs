namespace ActorRL.Actors;

/// <summary>
/// The base of every actor. An actor handles one message at a time, in mailbox order, including
/// while an async handler is awaiting: no other message is taken until it finishes.
/// </summary>
public abstract class ActorBase
{
    private readonly ActorCell cell;

    /// <summary>Binds the instance to the cell constructing it (actors are created only by the kernel).</summary>
    protected ActorBase()
    {
        cell = ActorCell.Constructing ?? throw new InvalidOperationException(
            $"{GetType().Name} must be created by the actor system (ActorOf with Props), not with new");
    }

    internal ActorCell Cell => cell;

    /// <summary>This actor's context: self, sender, children, watch, become, stash, timers.</summary>
    protected IActorContext Context => cell;

    /// <summary>This actor's ref.</summary>
    protected IActorRef Self => cell.Self;

    /// <summary>The sender of the current message.</summary>
    protected IActorRef Sender => cell.Sender;

    /// <summary>Timers owned by this actor.</summary>
    protected ITimerScheduler Timers => cell.Timers;

    /// <summary>How this actor supervises its children; by default the props' strategy or <see cref="Actors.SupervisorStrategy.Default"/>.</summary>
    public virtual SupervisorStrategy SupervisorStrategy => cell.Props.SupervisorStrategy ?? SupervisorStrategy.Default;

    /// <summary>Handles one message; returns false (or a task of false) when the message was not handled.</summary>
    protected internal abstract ValueTask<bool> ReceiveAsync(object message);

    /// <summary>Called for a message no handler accepted: publishes <see cref="UnhandledMessage"/>, or
    /// fails with <see cref="DeathPactException"/> for an unhandled <see cref="Terminated"/>.</summary>
    protected virtual void Unhandled(object message)
    {
        if (message is Terminated t) throw new DeathPactException(t.ActorRef);
        cell.System.PublishUnhandled(new UnhandledMessage(message, cell.CurrentSender, cell.Self));
    }

    internal void HandleUnhandled(object message) => Unhandled(message);

    /// <summary>Runs after the actor is created and before its first message (also after a restart, by default).</summary>
    protected internal virtual void PreStart() { }

    /// <summary>Runs once the actor and all its children have stopped.</summary>
    protected internal virtual void PostStop() { }

    /// <summary>Runs on the failed instance before it is replaced; by default stops all children and calls PostStop.</summary>
    protected internal virtual void PreRestart(Exception reason, object? message)
    {
        foreach (IActorRef child in cell.Children) cell.Stop(child);
        PostStop();
    }

    /// <summary>Runs on the new instance after a restart; by default calls PreStart.</summary>
    protected internal virtual void PostRestart(Exception reason) => PreStart();
}

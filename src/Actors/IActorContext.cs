using Microsoft.Extensions.Logging;

namespace ActorRL.Actors;

/// <summary>What an actor sees of itself and the kernel while it handles a message.</summary>
public interface IActorContext
{
    /// <summary>This actor's ref.</summary>
    IActorRef Self { get; }

    /// <summary>The sender of the current message (dead letters when there was none).</summary>
    IActorRef Sender { get; }

    /// <summary>The supervisor.</summary>
    IActorRef Parent { get; }

    /// <summary>The running children.</summary>
    IReadOnlyCollection<IActorRef> Children { get; }

    /// <summary>A child by name, or null.</summary>
    IActorRef? Child(string name);

    /// <summary>The system the actor lives in.</summary>
    ActorSystem System { get; }

    /// <summary>The props the actor was created from.</summary>
    Props Props { get; }

    /// <summary>A logger named after the actor's type.</summary>
    ILogger Log { get; }

    /// <summary>Timers owned by this actor: cancelled when it stops or restarts.</summary>
    ITimerScheduler Timers { get; }

    /// <summary>Creates a child actor, supervised by this one.</summary>
    IActorRef ActorOf(Props props, string? name = null);

    /// <summary>Stops this actor or one of its children (after their current message).</summary>
    void Stop(IActorRef actor);

    /// <summary>Receive <see cref="Terminated"/> once when <paramref name="actor"/> stops (at once if it already has).</summary>
    IActorRef Watch(IActorRef actor);

    /// <summary>Stop watching; no <see cref="Terminated"/> for it is delivered afterwards.</summary>
    IActorRef Unwatch(IActorRef actor);

    /// <summary>Replaces (or pushes, with <paramref name="discardOld"/> false) the message handlers;
    /// <paramref name="configure"/> registers them (Receive, ReceiveAsync).</summary>
    void Become(Action configure, bool discardOld = true);

    /// <summary>Returns to the handlers before the last stacked Become.</summary>
    void Unbecome();

    /// <summary>Sets the current message aside until <see cref="UnstashAll"/>.</summary>
    void Stash();

    /// <summary>Puts all stashed messages back at the front of the mailbox, in their order.</summary>
    void UnstashAll();

    /// <summary>Sends <see cref="ReceiveTimeout"/> after this long without a message; null turns it off.</summary>
    void SetReceiveTimeout(TimeSpan? timeout);

    /// <summary>The receive timeout in force, if any.</summary>
    TimeSpan? ReceiveTimeout { get; }
}

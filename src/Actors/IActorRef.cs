namespace ActorRL.Actors;

/// <summary>
/// A handle to an actor: the only way to reach it. Refs are immutable values (a path plus the
/// incarnation's uid) and may cross the wire; a ref to a stopped actor delivers to dead letters.
/// </summary>
public interface IActorRef : IEquatable<IActorRef>
{
    /// <summary>The actor's path.</summary>
    ActorPath Path { get; }

    /// <summary>
    /// Identifies this incarnation: an actor recreated under the same path after a stop gets a new uid
    /// (a restart keeps it).
    /// </summary>
    long Uid { get; }

    /// <summary>Enqueues <paramref name="message"/>; never blocks on an unbounded mailbox.</summary>
    /// <param name="message">An immutable message.</param>
    /// <param name="sender">Who replies go to; null for none (replies then go to dead letters).</param>
    void Tell(object message, IActorRef? sender = null);
}

/// <summary>Well-known refs.</summary>
public static class ActorRefs
{
    /// <summary>The sender of messages sent from outside any actor.</summary>
    public static readonly IActorRef? NoSender = null;
}

/// <summary>The part of a ref the kernel uses: system messages (supervision, death watch, lifecycle).</summary>
internal interface IInternalActorRef : IActorRef
{
    void SendSystemMessage(SystemMessage message);

    bool IsTerminated { get; }
}

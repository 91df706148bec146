namespace ActorRL.Actors;

/// <summary>Stops the actor when it reaches the head of the mailbox (messages before it are processed).</summary>
public sealed class PoisonPill
{
    /// <summary>The one instance.</summary>
    public static readonly PoisonPill Instance = new();

    private PoisonPill() { }
}

/// <summary>Makes the actor fail with <see cref="ActorKilledException"/>; its supervisor decides what follows.</summary>
public sealed class Kill
{
    /// <summary>The one instance.</summary>
    public static readonly Kill Instance = new();

    private Kill() { }
}

/// <summary>Sent to the actor when <see cref="IActorContext.SetReceiveTimeout"/> elapsed without a message.</summary>
public sealed class ReceiveTimeout
{
    /// <summary>The one instance.</summary>
    public static readonly ReceiveTimeout Instance = new();

    private ReceiveTimeout() { }
}

/// <summary>Delivered once to each watcher when a watched actor has stopped.</summary>
/// <param name="ActorRef">The actor that stopped.</param>
public sealed record Terminated(IActorRef ActorRef);

/// <summary>Sends <paramref name="Message"/> to every routee of a router instead of one.</summary>
/// <param name="Message">The message each routee receives.</param>
public sealed record Broadcast(object Message);

/// <summary>Replies that carry an outcome rather than a value.</summary>
public static class Status
{
    /// <summary>The request succeeded.</summary>
    /// <param name="Value">An optional result.</param>
    public sealed record Success(object? Value);

    /// <summary>The request failed; <see cref="ActorRefExtensions.Ask{T}"/> rethrows the cause.</summary>
    /// <param name="Cause">What went wrong.</param>
    public sealed record Failure(Exception Cause);
}

/// <summary>A message that could not be delivered, published on the event stream.</summary>
/// <param name="Message">The message.</param>
/// <param name="Sender">Who sent it, if known.</param>
/// <param name="Recipient">Whom it was for.</param>
public sealed record DeadLetter(object Message, IActorRef? Sender, IActorRef Recipient);

/// <summary>A message no handler of the recipient accepted, published on the event stream.</summary>
/// <param name="Message">The message.</param>
/// <param name="Sender">Who sent it, if known.</param>
/// <param name="Recipient">The actor that did not handle it.</param>
public sealed record UnhandledMessage(object Message, IActorRef? Sender, IActorRef Recipient);

namespace ActorRL.Actors;

/// <summary>The actor's constructor or PreStart threw; the default strategy stops such an actor.</summary>
public sealed class ActorInitializationException(IActorRef actor, Exception cause)
    : Exception($"{actor.Path} failed to start: {cause.Message}", cause)
{
    /// <summary>The actor that failed to start.</summary>
    public IActorRef Actor { get; } = actor;
}

/// <summary>The actor received <see cref="Kill"/>.</summary>
public sealed class ActorKilledException(string message) : Exception(message);

/// <summary>An actor did not handle the <see cref="Terminated"/> of an actor it watched.</summary>
public sealed class DeathPactException(IActorRef dead)
    : Exception($"the watched actor {dead.Path} stopped and the watcher does not handle Terminated")
{
    /// <summary>The actor that stopped.</summary>
    public IActorRef DeadActor { get; } = dead;
}

/// <summary>No reply arrived within the Ask's timeout.</summary>
public sealed class AskTimeoutException(string message) : TimeoutException(message);

/// <summary>An actor name is empty, malformed, reserved or already taken among its siblings.</summary>
public sealed class InvalidActorNameException(string message) : ArgumentException(message);

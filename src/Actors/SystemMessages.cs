namespace ActorRL.Actors;

/// <summary>Kernel messages: processed before user messages, even while the actor is suspended.</summary>
internal abstract record SystemMessage;

/// <summary>Construct the actor instance and run PreStart.</summary>
internal sealed record Create : SystemMessage;

/// <summary>Continue after a failure, keeping the actor's state.</summary>
internal sealed record Resume(Exception? Cause) : SystemMessage;

/// <summary>Replace the failed instance by a new one (restart); the mailbox is kept.</summary>
internal sealed record Recreate(Exception Cause) : SystemMessage;

/// <summary>Stop: children first, then PostStop, then notify watchers and the parent.</summary>
internal sealed record Terminate : SystemMessage;

/// <summary>A child failed and is suspended until its parent decides.</summary>
internal sealed record Failed(IActorRef Child, Exception Cause, long Uid) : SystemMessage;

/// <summary>A child has completely stopped.</summary>
internal sealed record ChildTerminated(IActorRef Child) : SystemMessage;

/// <summary>Watcher asks to be told when Watchee stops.</summary>
internal sealed record Watch(IInternalActorRef Watchee, IInternalActorRef Watcher) : SystemMessage;

/// <summary>Watcher no longer wants to be told.</summary>
internal sealed record Unwatch(IInternalActorRef Watchee, IInternalActorRef Watcher) : SystemMessage;

/// <summary>Tells a watcher that Actor has stopped.</summary>
internal sealed record DeathWatchNotification(IActorRef Actor) : SystemMessage;

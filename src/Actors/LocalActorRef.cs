namespace ActorRL.Actors;

/// <summary>A ref to an actor in this process: delivers straight into its mailbox.</summary>
internal sealed class LocalActorRef(ActorPath path, long uid) : IInternalActorRef
{
    public ActorPath Path { get; } = path;

    public long Uid { get; } = uid;

    internal ActorCell Cell { get; set; } = null!;

    public bool IsTerminated => Cell.IsTerminated;

    public void Tell(object message, IActorRef? sender = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!Cell.Mailbox.Post(new Envelope(message, sender))) Cell.System.DeadLetter(message, sender, this);
    }

    public async ValueTask TellAsync(object message, IActorRef? sender, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!await Cell.Mailbox.PostAsync(new Envelope(message, sender), cancellationToken).ConfigureAwait(false))
        {
            Cell.System.DeadLetter(message, sender, this);
        }
    }

    public void SendSystemMessage(SystemMessage message)
    {
        if (Cell.Mailbox.PostSystem(message)) return;
        // The actor has terminated: a late watcher still gets its notification.
        if (message is Watch w && !w.Watcher.Equals(this)) w.Watcher.SendSystemMessage(new DeathWatchNotification(this));
    }

    public bool Equals(IActorRef? other) => other is not null && other.Uid == Uid && other.Path.Equals(Path);

    public override bool Equals(object? obj) => Equals(obj as IActorRef);

    public override int GetHashCode() => HashCode.Combine(Path, Uid);

    public override string ToString() => $"{Path}#{Uid}";
}

namespace ActorRL.Actors.Cluster;

/// <summary>A ref to an actor on another node: <see cref="Tell"/> serializes the message (failing at once when it
/// cannot cross the wire) and sends it through the node's broker connection.</summary>
internal sealed class RemoteActorRef(ActorPath path, ClusterNode node) : IActorRef
{
    public ActorPath Path { get; } = path;

    // The incarnation of a remote actor is not known here; refs to the same path are equal.
    public long Uid => 0;

    public void Tell(object message, IActorRef? sender = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        node.Send(Path, message, sender);
    }

    public bool Equals(IActorRef? other) => other is RemoteActorRef remote && remote.Path.Equals(Path);

    public override bool Equals(object? obj) => Equals(obj as IActorRef);

    public override int GetHashCode() => Path.GetHashCode();

    public override string ToString() => Path.ToString();
}

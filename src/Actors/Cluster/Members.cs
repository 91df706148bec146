namespace ActorRL.Actors.Cluster;

/// <summary>A node of the cluster.</summary>
/// <param name="Node">Its name.</param>
/// <param name="Roles">The roles it hosts.</param>
/// <param name="Incarnation">Distinguishes a node restarted under the same name from the one before.</param>
public sealed record Member(string Node, IReadOnlyList<string> Roles, long Incarnation)
{
    /// <summary>Whether it hosts <paramref name="role"/>.</summary>
    public bool HasRole(string role) => Roles.Contains(role, StringComparer.Ordinal);
}

/// <summary>Published on the event stream when a node is first heard from (this node included).</summary>
public sealed record MemberUp(Member Member);

/// <summary>Published on the event stream when a node left, or missed heartbeats for the failure timeout.</summary>
/// <param name="Member">The node.</param>
/// <param name="Reason">Why: it left, or how long it has been silent.</param>
public sealed record MemberDown(Member Member, string Reason);

/// <summary>Published on the event stream when the node running a cluster singleton changes.</summary>
/// <param name="Name">The singleton.</param>
/// <param name="Node">The node that runs it now, or null while none is known to.</param>
public sealed record SingletonMoved(string Name, string? Node);

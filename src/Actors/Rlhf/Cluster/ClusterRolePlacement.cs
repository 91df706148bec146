using ActorRL.Actors.Cluster;

namespace ActorRL.Actors.Rlhf.Cluster;

/// <summary>
/// Where a cluster run's roles go: the learner, reference and reward roles to the role hosts of nodes that host them
/// (the nodes up at the time, taken in turn by incarnation, so that a role replaced after its node died goes to
/// another one); rollout slots become <see cref="RolloutQueueSlot"/>s feeding the durable generation queue; the
/// objective, the stages and the evaluator stay with the coordinator.
/// </summary>
internal sealed class ClusterRolePlacement(ClusterNode node, RolloutQueues queues, IActorRef weightsRelay) : IRolePlacement
{
    /// <summary>The roles placed on other nodes' role hosts.</summary>
    public static readonly IReadOnlySet<string> HostedRoles = new HashSet<string>(StringComparer.Ordinal) { "learner", "reference", "reward" };

    public IActorRef? Spawn(string slot, string role, int incarnation, RoleSetup setup, IActorContext coordinator)
    {
        var info = new RoleSetupInfo(setup.StageDirs, setup.ResumeFrom, setup.Settings.ConfigSha256);
        if (role == "rollout")
        {
            string replyTo = node.PathOf(coordinator.Self);
            return coordinator.ActorOf(Props.Create(() => new RolloutQueueSlot(queues, weightsRelay, info, replyTo)), $"{slot}-queue-{incarnation}");
        }
        if (!HostedRoles.Contains(role)) return null;
        var candidates = node.Members.Where(m => m.HasRole(role)).ToList();
        if (candidates.Count == 0)
        {
            throw new InvalidOperationException($"no node of cluster {node.Settings.ClusterName} hosts the {role} role: start one with actorrl node --roles {role}");
        }
        Member member = candidates[(incarnation - 1) % candidates.Count];
        return new RemoteRoleRef(node.RefFor(member.Node, "/user/" + RoleHost.Name), slot, role, incarnation, info);
    }

    public void Stop(IActorRef role, IActorContext coordinator)
    {
        if (role is RemoteRoleRef remote) remote.Host.Tell(new StopRole(remote.Slot, remote.Incarnation));
        else if (coordinator.Child(role.Path.Name) is not null) coordinator.Stop(role);
    }

    // A short broker round trip on the coordinator's turn, before the attempt publishes anything.
    public void BeginAttempt() => queues.PurgeAsync().GetAwaiter().GetResult();
}

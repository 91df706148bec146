namespace ActorRL.Actors.Rlhf;

/// <summary>
/// Where the coordinator's roles run. Without one, every role is a child of the coordinator in its process; on a
/// cluster, the learner, reference and reward roles run on nodes that host them, and rollout generation goes through
/// the cluster's durable queues.
/// </summary>
internal interface IRolePlacement
{
    /// <summary>
    /// Incarnation <paramref name="incarnation"/> of the slot <paramref name="slot"/> (which plays <paramref name="role"/>:
    /// learner, reference, reward, rollout, objective, stages, evaluator), placed where it should run; null to create it
    /// as the coordinator's child.
    /// </summary>
    IActorRef? Spawn(string slot, string role, int incarnation, RoleSetup setup, IActorContext coordinator);

    /// <summary>Stops a role this placement spawned (one that missed its deadline, or the run's end).</summary>
    void Stop(IActorRef role, IActorContext coordinator);

    /// <summary>Forgets the ids of the requests and results in flight elsewhere from earlier attempts of the run.</summary>
    void BeginAttempt();
}

namespace ActorRL.Actors.Rlhf;

/// <summary>How roles are supervised wherever they run (the coordinator's children, a node's role host, a rollout
/// node's worker): a role that throws has told its requester <see cref="RoleFailed"/> and is restarted in place, with
/// back-off, within a retry budget.</summary>
internal static class RoleSupervision
{
    public static SupervisorStrategy Strategy() => new OneForOneStrategy(_ => Directive.Restart)
    {
        MaxRetries = 20,
        Within = TimeSpan.FromMinutes(10),
        Backoff = new Backoff(TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(2)),
    };
}

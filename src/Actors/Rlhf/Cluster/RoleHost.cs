using Microsoft.Extensions.Logging;

namespace ActorRL.Actors.Rlhf.Cluster;

/// <summary>
/// A node's host of roles for a run whose coordinator is elsewhere (<c>/user/roles</c>): creates incarnation n of a slot
/// (<c>/user/roles/&lt;slot&gt;-&lt;n&gt;</c>) from the node's own settings and the coordinator's
/// <see cref="RoleSetupInfo"/> on its first message, forwards every <see cref="ToRole"/> to it keeping the sender
/// (so the role answers the coordinator directly), and supervises it as the coordinator supervises local roles: a role
/// that throws tells the coordinator <see cref="RoleFailed"/> and is restarted in place.
/// </summary>
internal sealed class RoleHost : ReceiveActor
{
    /// <summary>The role host's name under <c>/user</c>.</summary>
    public const string Name = "roles";

    private readonly RlhfRunSettings settings;
    private readonly FaultInjector faults;
    private readonly IReadOnlySet<string> roles;
    private readonly Dictionary<string, LearnerState> learners = [];
    private readonly HashSet<string> stopped = [];

    public RoleHost(RlhfRunSettings settings, FaultInjector faults, IReadOnlySet<string> roles)
    {
        this.settings = settings;
        this.faults = faults;
        this.roles = roles;
        Receive<ToRole>(Forward);
        Receive<StopRole>(stop =>
        {
            string name = ChildName(stop.Slot, stop.Incarnation);
            stopped.Add(name);
            if (Context.Child(name) is { } child) Context.Stop(child);
        });
    }

    /// <summary>Roles that throw are restarted in place (with back-off), as the coordinator does with local ones.</summary>
    public override SupervisorStrategy SupervisorStrategy { get; } = RoleSupervision.Strategy();

    private static string ChildName(string slot, int incarnation) => $"{slot}-{incarnation}";

    private void Forward(ToRole message)
    {
        string name = ChildName(message.Slot, message.Incarnation);
        if (stopped.Contains(name))
        {
            Context.Log.LogDebug("dropped a {Message} for {Role}, which was stopped", message.Message.GetType().Name, name);
            return;
        }
        string? refusal = !roles.Contains(message.Role) ? $"this node does not host the {message.Role} role (it hosts {string.Join(", ", roles)})"
            : message.Setup.ConfigSha256 != settings.ConfigSha256
                ? $"this node runs configuration {Short(settings.ConfigSha256)}, the coordinator {Short(message.Setup.ConfigSha256)}: start every node with the same file"
                : null;
        if (refusal is not null)
        {
            Context.Log.LogError("{Node} refused {Role}: {Reason}", Self.Path, name, refusal);
            if (message.Message is RoleRequest request) Sender.Tell(new RoleFailed(request.RequestId, $"{Self.Path}/{name}", refusal), Self);
            return;
        }
        IActorRef? role = Context.Child(name);
        if (role is null)
        {
            role = Context.ActorOf(PropsFor(message), name);
            Context.Log.LogInformation("{Host} started {Role} ({Kind}) for the coordinator at {Coordinator}", Self.Path, name, message.Role, Sender.Path);
        }
        role.Tell(message.Message, Sender);
    }

    private Props PropsFor(ToRole message)
    {
        var setup = new RoleSetup(settings, faults, message.Setup.StageDirs, message.Setup.ResumeFrom);
        return message.Role switch
        {
            "learner" => Props.Create(() => new LearnerActor(setup, LearnerOf(message.Slot))),
            "reference" => Props.Create(() => new ReferenceActor(setup)),
            "reward" => Props.Create(() => new RewardActor(setup)),
            _ => throw new InvalidOperationException($"no role {message.Role} can be placed on a node"),
        };
    }

    // The learner's policy, optimizer and last published version outlive its incarnations on this node, as they do in
    // the coordinator's process.
    private LearnerState LearnerOf(string slot)
    {
        if (!learners.TryGetValue(slot, out LearnerState? state)) learners[slot] = state = new LearnerState();
        return state;
    }

    private static string Short(string sha256) => sha256.Length > 12 ? sha256[..12] : sha256;

    protected internal override void PostStop()
    {
        foreach (LearnerState state in learners.Values) state.Dispose();
    }
}

/// <summary>A ref to one incarnation of a role on another node's role host: messages go to
/// the host wrapped in <see cref="ToRole"/>, which creates the role on first use and forwards them.</summary>
internal sealed class RemoteRoleRef(IActorRef host, string slot, string role, int incarnation, RoleSetupInfo setup) : IActorRef
{
    public IActorRef Host { get; } = host;

    public string Slot { get; } = slot;

    public int Incarnation { get; } = incarnation;

    public ActorPath Path { get; } = host.Path.Child($"{slot}-{incarnation}");

    public long Uid => 0;

    public void Tell(object message, IActorRef? sender = null) => Host.Tell(new ToRole(Slot, role, Incarnation, setup, message), sender);

    public bool Equals(IActorRef? other) => other is RemoteRoleRef r && r.Path.Equals(Path);

    public override bool Equals(object? obj) => Equals(obj as IActorRef);

    public override int GetHashCode() => Path.GetHashCode();

    public override string ToString() => Path.ToString();
}

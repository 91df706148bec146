namespace ActorRL.Actors.Routing;

/// <summary>
/// The actor behind a pool router: supervises the routees, forwards each message (keeping its
/// sender) to the routee its config selects, and <see cref="Broadcast"/> to all. Stops when the
/// last routee has stopped.
/// </summary>
internal sealed class RouterActor : ActorBase
{
    private readonly RouterConfig config;
    private readonly Props routeeProps;
    private readonly List<IActorRef> routees = [];

    private RouterActor(RouterConfig config, Props routeeProps)
    {
        this.config = config;
        this.routeeProps = routeeProps;
    }

    public static Props PropsFor(RouterConfig config, Props routeeProps) =>
        Props.Create(() => new RouterActor(config, routeeProps with { Mailbox = routeeProps.Mailbox with { CountsLoad = true } }))
            with
        { Mailbox = routeeProps.Mailbox };

    public override SupervisorStrategy SupervisorStrategy => config.SupervisorStrategy ?? SupervisorStrategy.Default;

    public IReadOnlyList<IActorRef> Routees => routees;

    protected internal override void PreStart()
    {
        for (int i = 0; i < config.NrOfInstances; i++)
        {
            routees.Add(Context.Watch(Cell.ActorOf(routeeProps, "$r" + i, systemNamed: true)));
        }
    }

    protected internal override ValueTask<bool> ReceiveAsync(object message)
    {
        switch (message)
        {
            case Terminated t:
                routees.Remove(t.ActorRef);
                if (routees.Count == 0) Context.Stop(Self);
                break;
            case Broadcast b:
                foreach (IActorRef r in routees) r.Tell(b.Message, Cell.CurrentSender);
                break;
            default:
                if (routees.Count == 0) return new ValueTask<bool>(false);
                config.Select(routees).Tell(message, Cell.CurrentSender);
                break;
        }
        return new ValueTask<bool>(true);
    }
}

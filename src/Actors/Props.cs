using ActorRL.Actors.Routing;

namespace ActorRL.Actors;

/// <summary>
/// How to create an actor: its factory, mailbox, supervisor strategy for its children and
/// optional router. Props are local recipes (they hold a factory delegate) and never cross the wire.
/// </summary>
public sealed record Props
{
    private Props(Func<ActorBase> factory, Type actorType)
    {
        Factory = factory;
        ActorType = actorType;
    }

    /// <summary>Creates a new actor instance; called again on every restart.</summary>
    public Func<ActorBase> Factory { get; }

    /// <summary>The type of actor the factory makes (for logs).</summary>
    public Type ActorType { get; }

    /// <summary>The mailbox: unbounded by default.</summary>
    public MailboxOptions Mailbox { get; init; } = MailboxOptions.Unbounded;

    /// <summary>How this actor supervises its children; null means <see cref="SupervisorStrategy.Default"/>
    /// unless the actor overrides <see cref="ActorBase.SupervisorStrategy"/>.</summary>
    public SupervisorStrategy? SupervisorStrategy { get; init; }

    /// <summary>When set, ActorOf creates a router whose routees are made from these props.</summary>
    public RouterConfig? Router { get; init; }

    /// <summary>Props for an actor with a parameterless constructor.</summary>
    public static Props Create<TActor>() where TActor : ActorBase, new() => new(() => new TActor(), typeof(TActor));

    /// <summary>Props for an actor made by <paramref name="factory"/> (which must return a new instance each call).</summary>
    public static Props Create<TActor>(Func<TActor> factory) where TActor : ActorBase
    {
        ArgumentNullException.ThrowIfNull(factory);
        return new Props(factory, typeof(TActor));
    }

    /// <summary>These props with another mailbox.</summary>
    public Props WithMailbox(MailboxOptions mailbox) => this with { Mailbox = mailbox };

    /// <summary>These props with another supervisor strategy.</summary>
    public Props WithSupervisorStrategy(SupervisorStrategy strategy) => this with { SupervisorStrategy = strategy };

    /// <summary>These props as a pool router of routees made from them.</summary>
    public Props WithRouter(RouterConfig router) => this with { Router = router };
}

/// <summary>The capacity of an actor's mailbox.</summary>
/// <param name="Capacity">Null for unbounded; otherwise the most messages queued.</param>
/// <param name="PushTimeout">How long <see cref="IActorRef.Tell"/> blocks on a full bounded mailbox before the
/// message goes to dead letters; <see cref="ActorRefExtensions.TellAsync"/> waits without blocking a thread.</param>
public sealed record MailboxOptions(int? Capacity = null, TimeSpan? PushTimeout = null)
{
    /// <summary>Keep a count of queued messages (what smallest-mailbox routing reads); routers set it on their routees.</summary>
    internal bool CountsLoad { get; init; }

    /// <summary>No limit: Tell never blocks.</summary>
    public static readonly MailboxOptions Unbounded = new();

    /// <summary>At most <paramref name="capacity"/> messages; senders wait for room (back-pressure).</summary>
    public static MailboxOptions Bounded(int capacity, TimeSpan? pushTimeout = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        return new MailboxOptions(capacity, pushTimeout ?? TimeSpan.FromSeconds(10));
    }
}

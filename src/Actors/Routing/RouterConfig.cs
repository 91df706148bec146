namespace ActorRL.Actors.Routing;

/// <summary>A pool router: creates <see cref="NrOfInstances"/> routees from the props and spreads messages over them.</summary>
public abstract record RouterConfig
{
    /// <summary>Creates the config.</summary>
    protected RouterConfig(int nrOfInstances)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nrOfInstances, 1);
        NrOfInstances = nrOfInstances;
    }

    /// <summary>How many routees the pool creates.</summary>
    public int NrOfInstances { get; }

    /// <summary>How the router supervises its routees; null for <see cref="SupervisorStrategy.Default"/>.</summary>
    public SupervisorStrategy? SupervisorStrategy { get; init; }

    /// <summary>Picks the routee for the next message.</summary>
    internal abstract IActorRef Select(IReadOnlyList<IActorRef> routees);
}

/// <summary>Sends messages to the routees in turn.</summary>
public sealed record RoundRobinPool(int NrOfInstances) : RouterConfig(NrOfInstances)
{
    private long next = -1;

    internal override IActorRef Select(IReadOnlyList<IActorRef> routees) =>
        routees[(int)((ulong)Interlocked.Increment(ref next) % (ulong)routees.Count)];
}

/// <summary>Sends each message to the routee with the fewest queued messages (counting the one it is handling).</summary>
public sealed record SmallestMailboxPool(int NrOfInstances) : RouterConfig(NrOfInstances)
{
    internal override IActorRef Select(IReadOnlyList<IActorRef> routees)
    {
        IActorRef best = routees[0];
        int bestLoad = int.MaxValue;
        foreach (IActorRef r in routees)
        {
            int load = r is LocalActorRef local ? local.Cell.Mailbox.Load : int.MaxValue - 1;
            if (load < bestLoad)
            {
                best = r;
                bestLoad = load;
                if (load == 0) break;
            }
        }
        return best;
    }
}

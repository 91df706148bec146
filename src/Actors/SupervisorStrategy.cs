namespace ActorRL.Actors;

/// <summary>What a supervisor does with a child that threw.</summary>
public enum Directive
{
    /// <summary>Keep the instance and its state; continue with the next message.</summary>
    Resume,
    /// <summary>Replace the instance by a fresh one; queued messages are kept.</summary>
    Restart,
    /// <summary>Stop the child.</summary>
    Stop,
    /// <summary>Fail the supervisor itself with the same exception, for its own supervisor to decide.</summary>
    Escalate,
}

/// <summary>Exponential back-off between consecutive restarts of a child.</summary>
/// <param name="Min">Delay before the first restart in a window.</param>
/// <param name="Max">Upper bound of the delay.</param>
/// <param name="Factor">Growth per consecutive restart.</param>
public sealed record Backoff(TimeSpan Min, TimeSpan Max, double Factor = 2.0)
{
    /// <summary>Restarts happen at once.</summary>
    public static readonly Backoff None = new(TimeSpan.Zero, TimeSpan.Zero, 1.0);

    /// <summary>The delay before restart number <paramref name="restart"/> (1-based) in the current window.</summary>
    public TimeSpan DelayFor(int restart)
    {
        if (Min <= TimeSpan.Zero || restart < 1) return TimeSpan.Zero;
        double ms = Min.TotalMilliseconds * Math.Pow(Factor, restart - 1);
        return TimeSpan.FromMilliseconds(Math.Min(ms, Max.TotalMilliseconds));
    }
}

/// <summary>
/// How a parent handles a child's failure: a decider maps the exception to a <see cref="Directive"/>;
/// a retry budget (<see cref="MaxRetries"/> restarts within <see cref="Within"/>) stops a child that keeps
/// failing; <see cref="Backoff"/> spaces consecutive restarts.
/// </summary>
public abstract record SupervisorStrategy
{
    /// <summary>Restart on any exception but initialization, kill and death pact (which stop);
    /// at most 10 restarts a minute, backing off from 10 ms to 10 s.</summary>
    public static readonly SupervisorStrategy Default = new OneForOneStrategy(DefaultDecider)
    {
        MaxRetries = 10,
        Within = TimeSpan.FromMinutes(1),
        Backoff = new Backoff(TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(10)),
    };

    /// <summary>Stops any failing child.</summary>
    public static readonly SupervisorStrategy StoppingStrategy = new OneForOneStrategy(_ => Directive.Stop);

    /// <summary>The decider of <see cref="Default"/>.</summary>
    public static Directive DefaultDecider(Exception e) => e switch
    {
        ActorInitializationException or ActorKilledException or DeathPactException => Directive.Stop,
        _ => Directive.Restart,
    };

    /// <summary>Maps a child's exception to what happens next.</summary>
    public required Func<Exception, Directive> Decider { get; init; }

    /// <summary>Restarts allowed within <see cref="Within"/> before the child is stopped; negative for no limit.</summary>
    public int MaxRetries { get; init; } = -1;

    /// <summary>The window of the retry budget; null for the whole lifetime.</summary>
    public TimeSpan? Within { get; init; }

    /// <summary>Delay between consecutive restarts.</summary>
    public Backoff Backoff { get; init; } = Backoff.None;

    /// <summary>Whether the directive applies to all children (all-for-one) or only the failed one.</summary>
    public abstract bool AppliesToAllChildren { get; }
}

/// <summary>The directive applies to the failed child only.</summary>
public sealed record OneForOneStrategy : SupervisorStrategy
{
    /// <summary>Creates the strategy.</summary>
    [System.Diagnostics.CodeAnalysis.SetsRequiredMembers]
    public OneForOneStrategy(Func<Exception, Directive> decider) => Decider = decider;

    /// <inheritdoc/>
    public override bool AppliesToAllChildren => false;
}

/// <summary>The directive applies to every child: one failure restarts (or stops, or resumes) all siblings.</summary>
public sealed record AllForOneStrategy : SupervisorStrategy
{
    /// <summary>Creates the strategy.</summary>
    [System.Diagnostics.CodeAnalysis.SetsRequiredMembers]
    public AllForOneStrategy(Func<Exception, Directive> decider) => Decider = decider;

    /// <inheritdoc/>
    public override bool AppliesToAllChildren => true;
}

/// <summary>A parent's count of one child's restarts inside the current window.</summary>
internal sealed class ChildRestartStats
{
    private DateTime windowStart;

    public int Restarts { get; private set; }

    /// <summary>Counts a restart; false when it would exceed the strategy's budget.</summary>
    public bool RequestRestart(SupervisorStrategy strategy, DateTime now)
    {
        if (strategy.Within is { } within && now - windowStart > within)
        {
            windowStart = now;
            Restarts = 0;
        }
        if (Restarts == 0) windowStart = now;
        if (strategy.MaxRetries >= 0 && Restarts >= strategy.MaxRetries) return false;
        Restarts++;
        return true;
    }
}

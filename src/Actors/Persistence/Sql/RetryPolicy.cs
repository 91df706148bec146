namespace ActorRL.Actors.Persistence;

/// <summary>
/// How a SQL store retries transient failures (a locked SQLite file, a PostgreSQL server that is down or restarting):
/// up to <see cref="Attempts"/> tries, waiting <see cref="FirstDelay"/> before the second and doubling each time, never
/// more than <see cref="MaxDelay"/>. With the defaults a store gives up after about 3 s of waiting plus the attempts.
/// </summary>
public sealed record RetryPolicy
{
    /// <summary>The defaults: 6 attempts, 100 ms first delay, 5 s max delay.</summary>
    public static RetryPolicy Default { get; } = new();

    /// <summary>How many times an operation is tried in all (1 = no retry).</summary>
    public int Attempts { get; init; } = 6;

    /// <summary>The wait before the first retry.</summary>
    public TimeSpan FirstDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest wait between two attempts.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The wait after failed attempt <paramref name="attempt"/> (1-based): FirstDelay · 2^(attempt-1), capped at MaxDelay.</summary>
    public TimeSpan DelayAfter(int attempt)
    {
        double ms = FirstDelay.TotalMilliseconds * Math.Pow(2, Math.Max(0, attempt - 1));
        return TimeSpan.FromMilliseconds(Math.Min(ms, MaxDelay.TotalMilliseconds));
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the field when the policy cannot be used.</summary>
    public void Validate()
    {
        if (Attempts < 1) throw new ArgumentOutOfRangeException(nameof(Attempts), Attempts, "RetryPolicy.Attempts must be at least 1");
        if (FirstDelay < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(FirstDelay), FirstDelay, "RetryPolicy.FirstDelay must not be negative");
        if (MaxDelay < FirstDelay) throw new ArgumentOutOfRangeException(nameof(MaxDelay), MaxDelay, "RetryPolicy.MaxDelay must be at least FirstDelay");
    }
}

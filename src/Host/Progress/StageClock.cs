namespace ActorRL.Host.Progress;

/// <summary>
/// The pace of one stage: when it started, its last step, and the time left at the rate seen so far. The rate is
/// measured from the first step this process saw, so a resumed stage that starts at step 21 is not credited with
/// twenty steps done in no time.
/// </summary>
public sealed class StageClock
{
    private readonly bool startKnown;
    private long baseStep = -1;
    private DateTimeOffset baseTime;

    /// <summary>Starts the clock of a stage of <paramref name="steps"/> steps (0 when unknown) at <paramref name="now"/>.</summary>
    /// <param name="stage">The stage's name.</param>
    /// <param name="steps">Steps in all; 0 when unknown.</param>
    /// <param name="now">When the stage started, or when its first step was seen.</param>
    /// <param name="startKnown">Whether <paramref name="now"/> is the stage's start; when not, the rate is measured from
    /// the first step seen to the next.</param>
    public StageClock(string stage, long steps, DateTimeOffset now, bool startKnown = true)
    {
        Stage = stage;
        Steps = steps;
        Started = now;
        this.startKnown = startKnown;
    }

    /// <summary>The stage's name.</summary>
    public string Stage { get; }

    /// <summary>Steps in all; 0 when unknown.</summary>
    public long Steps { get; private set; }

    /// <summary>When the stage started (or when this process first heard of it).</summary>
    public DateTimeOffset Started { get; }

    /// <summary>The last step reported; 0 before the first.</summary>
    public long Step { get; private set; }

    /// <summary>Records that <paramref name="step"/> of <paramref name="steps"/> finished at <paramref name="now"/>.</summary>
    public void Stepped(long step, long steps, DateTimeOffset now)
    {
        if (baseStep < 0)
        {
            // The first step seen took the time since the stage started; without a start, it only sets the mark.
            (baseStep, baseTime) = startKnown ? (Math.Max(0, step - 1), Started) : (step, now);
        }
        Step = step;
        if (steps > 0) Steps = steps;
        Now = now;
    }

    /// <summary>When the last step finished.</summary>
    public DateTimeOffset Now { get; private set; }

    /// <summary>Time left at the rate since the first step seen, or null before there is a rate or when the total is unknown.</summary>
    public TimeSpan? Remaining
    {
        get
        {
            if (Steps <= 0 || baseStep < 0 || Step <= baseStep) return null;
            if (Step >= Steps) return TimeSpan.Zero;
            double secondsPerStep = (Now - baseTime).TotalSeconds / (Step - baseStep);
            return TimeSpan.FromSeconds(secondsPerStep * (Steps - Step));
        }
    }
}

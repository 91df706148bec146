namespace ActorRL.Models.Training;

/// <summary>
/// Learning rate with linear warm-up from 0 to <paramref name="PeakLearningRate"/> over
/// <paramref name="WarmupSteps"/>, then cosine decay to <paramref name="MinLearningRate"/> at
/// <paramref name="TotalSteps"/>, constant after. Stateless: the step alone determines the rate, so a
/// resumed run only needs its step counter.
/// </summary>
public sealed record WarmupCosineSchedule(double PeakLearningRate, double MinLearningRate, long WarmupSteps, long TotalSteps)
{
    /// <summary>The rate for 0-based optimizer step <paramref name="step"/>.</summary>
    public double LearningRate(long step)
    {
        if (step < WarmupSteps) return PeakLearningRate * (step + 1) / WarmupSteps;
        if (step >= TotalSteps) return MinLearningRate;
        double progress = (double)(step - WarmupSteps) / Math.Max(1, TotalSteps - WarmupSteps);
        return MinLearningRate + 0.5 * (1 + Math.Cos(Math.PI * progress)) * (PeakLearningRate - MinLearningRate);
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public WarmupCosineSchedule Validate()
    {
        if (!(PeakLearningRate > 0)) throw new ArgumentException($"{nameof(PeakLearningRate)} must be > 0, not {PeakLearningRate}");
        if (!(MinLearningRate >= 0 && MinLearningRate <= PeakLearningRate)) throw new ArgumentException($"{nameof(MinLearningRate)} must be in [0, {nameof(PeakLearningRate)}], not {MinLearningRate}");
        if (WarmupSteps < 0) throw new ArgumentException($"{nameof(WarmupSteps)} must be >= 0, not {WarmupSteps}");
        if (TotalSteps < WarmupSteps) throw new ArgumentException($"{nameof(TotalSteps)} ({TotalSteps}) must be >= {nameof(WarmupSteps)} ({WarmupSteps})");
        return this;
    }
}

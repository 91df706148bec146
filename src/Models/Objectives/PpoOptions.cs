namespace ActorRL.Models.Objectives;

/// <summary>Which estimator of KL(π_old ‖ π_ref) per token penalizes the reward.</summary>
public enum KlEstimator
{
    /// <summary>k1 = log π_old − log π_ref.</summary>
    K1,
    /// <summary>k2 = ½ k1².</summary>
    K2,
    /// <summary>k3 = exp(−k1) − 1 + k1.</summary>
    K3,
}

/// <summary>PPO at the token level: the learner update every objective shares (OBJECTIVES.md, "PPO").</summary>
public sealed record PpoOptions : IObjectiveOptions
{
    /// <inheritdoc/>
    public string Objective => "ppo";

    /// <summary>ε of the clipped ratio.</summary>
    public double ClipEpsilon { get; init; } = 0.2;

    /// <summary>Clip range of the value prediction around the old value.</summary>
    public double ValueClip { get; init; } = 0.2;

    /// <summary>γ of GAE.</summary>
    public double Gamma { get; init; } = 1.0;

    /// <summary>λ of GAE.</summary>
    public double Lambda { get; init; } = 0.95;

    /// <summary>Whiten advantages over the batch.</summary>
    public bool WhitenAdvantages { get; init; } = true;

    /// <summary>Per-token KL penalty coefficient β (0 turns it off).</summary>
    public double KlCoefficient { get; init; } = 0.01;

    /// <summary>The KL estimator of the penalty.</summary>
    public KlEstimator KlEstimator { get; init; } = KlEstimator.K1;

    /// <summary>Weight of the entropy bonus (0 turns it off).</summary>
    public double EntropyCoefficient { get; init; }

    /// <summary>Weight of the value loss in the total loss.</summary>
    public double ValueCoefficient { get; init; } = 1.0;

    /// <inheritdoc/>
    public void Validate()
    {
        Check.InRange(ClipEpsilon, 0, 1, false, false, nameof(ClipEpsilon));
        Check.NonNegative(ValueClip, nameof(ValueClip));
        Check.InRange(Gamma, 0, 1, true, true, nameof(Gamma));
        Check.InRange(Lambda, 0, 1, true, true, nameof(Lambda));
        Check.NonNegative(KlCoefficient, nameof(KlCoefficient));
        Check.NonNegative(EntropyCoefficient, nameof(EntropyCoefficient));
        Check.NonNegative(ValueCoefficient, nameof(ValueCoefficient));
    }
}

namespace ActorRL.Models.Objectives;

/// <summary>RCfD: the reward is the (negated squared) distance to the demonstration's reward (OBJECTIVES.md, "RCfD").</summary>
public sealed record RcfdOptions : IObjectiveOptions
{
    /// <inheritdoc/>
    public string Objective => "rcfd";

    /// <summary>The PPO update: no KL penalty (β = 0) and clip ε = 0.3 by default.</summary>
    public PpoOptions Ppo { get; init; } = new() { KlCoefficient = 0, ClipEpsilon = 0.3 };

    /// <summary>Add the length reward −|y| as one more reward model.</summary>
    public bool LengthReward { get; init; }

    /// <summary>Whiten each reward model's calibrated reward over the batch before summing (used with several models).</summary>
    public bool WhitenPerModel { get; init; } = true;

    /// <summary>Histogram bins of the alignment metric A.</summary>
    public int AlignmentBins { get; init; } = 20;

    /// <inheritdoc/>
    public void Validate()
    {
        Ppo.Validate();
        Check.AtLeast(AlignmentBins, 2, nameof(AlignmentBins));
    }
}

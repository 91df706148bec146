namespace ActorRL.Models.Objectives;

/// <summary>RTO: token-wise rewards from a DPO model, optimized with PPO (OBJECTIVES.md, "RTO").</summary>
public sealed record RtoOptions : IObjectiveOptions
{
    /// <inheritdoc/>
    public string Objective => "rto";

    /// <summary>The PPO update (RTO carries its own KL term, so the PPO penalty is off by default).</summary>
    public PpoOptions Ppo { get; init; } = new() { KlCoefficient = 0 };

    /// <summary>β1: scale of the DPO log-ratio token reward.</summary>
    public double Beta1 { get; init; } = 0.05;

    /// <summary>c: the DPO token reward is clipped to [−c, c].</summary>
    public double RewardClip { get; init; } = 0.05;

    /// <summary>β2: scale of the KL penalty log π_old − log π_ref.</summary>
    public double Beta2 { get; init; } = 0.01;

    /// <summary>
    /// "R normalized" (OBJECTIVES.md): the sequence rewards are whitened over the batch before the clamp, so that a
    /// verifier's 0/1 and a reward model's raw scale weigh the same against the per-token rewards (at most c per token).
    /// </summary>
    public bool NormalizeSequenceReward { get; init; } = true;

    /// <summary>The sequence reward added at the last token is clamped to [−bound, bound].</summary>
    public double SequenceRewardBound { get; init; } = 10.0;

    /// <inheritdoc/>
    public void Validate()
    {
        Ppo.Validate();
        Check.NonNegative(Beta1, nameof(Beta1));
        Check.NonNegative(RewardClip, nameof(RewardClip));
        Check.NonNegative(Beta2, nameof(Beta2));
        Check.Positive(SequenceRewardBound, nameof(SequenceRewardBound));
    }
}

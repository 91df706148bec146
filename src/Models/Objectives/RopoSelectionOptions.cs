namespace ActorRL.Models.Objectives;

/// <summary>
/// The choices OBJECTIVES.md leaves open in ROPO's filtering and rejection sampling, with what we do by default.
/// </summary>
public sealed record RopoSelectionOptions
{
    /// <summary>How (1 − ρ)N becomes a count of kept pairs; ⌈(1 − ρ)N⌉ by default.</summary>
    public RopoKeepRounding Rounding { get; init; } = RopoKeepRounding.Ceiling;

    /// <summary>
    /// w_π: weight of the policy's implicit reward β (log π_θ(y) − log π_ref(y)) in a candidate's score
    /// w_π · β (log π_θ(y) − log π_ref(y)) + w_R · R(x, y).
    /// </summary>
    public double ImplicitRewardWeight { get; init; } = 1.0;

    /// <summary>
    /// w_R: weight of the reward model's or verifier's score R(x, y), where one is configured. The two scores are summed
    /// as they are, not standardized, so that an exact verifier can be made to decide on its own: with a 0/1 verifier,
    /// a w_R larger than the spread of the implicit rewards ranks every verified response above every failed one.
    /// </summary>
    public double RewardWeight { get; init; } = 1.0;

    /// <summary>Throws <see cref="InvalidOptionException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        Check.NonNegative(ImplicitRewardWeight, nameof(ImplicitRewardWeight));
        Check.NonNegative(RewardWeight, nameof(RewardWeight));
        if (ImplicitRewardWeight == 0 && RewardWeight == 0)
        {
            throw new InvalidOptionException(nameof(ImplicitRewardWeight), "and RewardWeight cannot both be 0: candidates would have no score");
        }
    }
}

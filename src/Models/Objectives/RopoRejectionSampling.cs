namespace ActorRL.Models.Objectives;

/// <summary>The pair rejection sampling formed from K candidates of one prompt.</summary>
/// <param name="Chosen">Index of the best-scored candidate: y_w of the new pair.</param>
/// <param name="Rejected">Index of the worst-scored candidate: y_l of the new pair.</param>
/// <param name="Margin">Its DPO margin Δ under the current policy.</param>
/// <param name="Loss">Its ℓ_ropo.</param>
/// <param name="Accepted">Whether <paramref name="Loss"/> is strictly below the acceptance threshold.</param>
public sealed record RopoRejectionSample(int Chosen, int Rejected, double Margin, double Loss, bool Accepted);

/// <summary>
/// ROPO's robustness-guided rejection sampling for the prompts whose pairs were dropped (OBJECTIVES.md, "ROPO"):
/// sample K responses from the current policy, score each, pair the best with the worst, and accept the pair only if
/// its ℓ_ropo is below the median loss of the retained set (<see cref="RopoRoundState.AcceptanceThreshold"/>).
/// </summary>
/// <remarks>
/// The paper leaves the rule open; what we do: a candidate's score is
/// w_π · β (log π_θ(y) − log π_ref(y)) + w_R · R(x, y), the implicit reward plus, where a reward model or verifier is
/// configured, its score, with the weights of <see cref="RopoSelectionOptions"/> (1 and 1 by default). Ties pick the
/// lowest index for the best and the highest for the worst, so the two differ whenever K ≥ 2. The pair's margin is
/// Δ = (log π_θ − log π_ref)(y_best) − (log π_θ − log π_ref)(y_worst).
/// </remarks>
public static class RopoRejectionSampling
{
    /// <summary>Each candidate's score.</summary>
    /// <param name="logRatios">log π_θ(y) − log π_ref(y) of each candidate (sequence level).</param>
    /// <param name="rewards">R(x, y) of each candidate, or empty when no reward model or verifier is configured.</param>
    /// <param name="beta">β of the implicit reward.</param>
    /// <param name="selection">The weights; defaults when null.</param>
    public static double[] Scores(ReadOnlySpan<double> logRatios, ReadOnlySpan<double> rewards, double beta, RopoSelectionOptions? selection = null)
    {
        selection ??= new RopoSelectionOptions();
        if (!rewards.IsEmpty && rewards.Length != logRatios.Length)
        {
            throw new ArgumentException($"{rewards.Length} rewards for {logRatios.Length} candidates", nameof(rewards));
        }
        var scores = new double[logRatios.Length];
        for (int k = 0; k < scores.Length; k++)
        {
            scores[k] = selection.ImplicitRewardWeight * Dpo.ImplicitReward(logRatios[k], 0, beta)
                + (rewards.IsEmpty ? 0 : selection.RewardWeight * rewards[k]);
            if (double.IsNaN(scores[k])) throw new ArgumentException($"candidate {k} scores NaN", nameof(logRatios));
        }
        return scores;
    }

    /// <summary>Forms the pair (best, worst) and accepts it if its ℓ_ropo is below the median of <paramref name="retainedLosses"/>.</summary>
    /// <param name="logRatios">log π_θ(y) − log π_ref(y) of each of the K ≥ 2 candidates.</param>
    /// <param name="rewards">R(x, y) of each candidate, or empty.</param>
    /// <param name="retainedLosses">ℓ_ropo of the pairs the filter kept.</param>
    /// <param name="options">β and α.</param>
    /// <param name="selection">The score weights; defaults when null.</param>
    public static RopoRejectionSample ChoosePair(ReadOnlySpan<double> logRatios, ReadOnlySpan<double> rewards, ReadOnlySpan<double> retainedLosses,
        RopoOptions options, RopoSelectionOptions? selection = null) =>
        ChoosePair(logRatios, rewards, RopoSelection.Median(retainedLosses), options, selection);

    /// <summary>The same with the threshold already computed (the median is the same for every dropped prompt of a round).</summary>
    public static RopoRejectionSample ChoosePair(ReadOnlySpan<double> logRatios, ReadOnlySpan<double> rewards, double acceptanceThreshold,
        RopoOptions options, RopoSelectionOptions? selection = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (logRatios.Length < 2) throw new ArgumentException($"a pair needs at least 2 candidates, not {logRatios.Length}", nameof(logRatios));
        double[] scores = Scores(logRatios, rewards, options.Beta, selection);
        int best = 0, worst = 0;
        for (int k = 1; k < scores.Length; k++)
        {
            if (scores[k] > scores[best]) best = k;
            if (scores[k] <= scores[worst]) worst = k;
        }
        double margin = logRatios[best] - logRatios[worst];
        double loss = Ropo.Loss(margin, options);
        return new RopoRejectionSample(best, worst, margin, loss, loss < acceptanceThreshold);
    }
}

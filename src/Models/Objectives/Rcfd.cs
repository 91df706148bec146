namespace ActorRL.Models.Objectives;

/// <summary>
/// Reward calibration from demonstrations (OBJECTIVES.md, "RCfD"): instead of maximizing a reward model R, the policy
/// is rewarded for matching the reward R(x, y_d) of the demonstration y_d of the same prompt,
/// R_CfD(x, y) = −(R(x, y) − R(x, y_d))², which cannot be over-optimized: overshooting the demonstration is penalized
/// like undershooting it. With several reward models R_i, R_CfD = Σ_i whiten(−(R_i(x, y) − R_i(x, y_d))²), each term
/// whitened over the batch so that no model dominates by scale. R(x, y_d) is fixed per prompt
/// (<see cref="RcfdDemoRewardCache"/>).
/// </summary>
public static partial class Rcfd
{
    /// <summary>The ε of the whitening in <see cref="Rewards(ReadOnlySpan{double}, ReadOnlySpan{double}, int, bool, double)"/>, (v − mean) / sqrt(var + ε).</summary>
    public const double DefaultWhiteningEpsilon = 1e-8;

    /// <summary>
    /// Σ_i −(R_i(x, y) − R_i(x, y_d))² for one response: <paramref name="policyRewards"/>[i] = R_i(x, y) and
    /// <paramref name="demoRewards"/>[i] = R_i(x, y_d), one entry per reward model, no whitening.
    /// </summary>
    public static double Reward(ReadOnlySpan<double> policyRewards, ReadOnlySpan<double> demoRewards)
    {
        CheckSameLength(policyRewards, demoRewards);
        double reward = 0;
        for (int i = 0; i < policyRewards.Length; i++)
        {
            double gap = policyRewards[i] - demoRewards[i];
            reward -= gap * gap;
        }
        return reward;
    }

    /// <summary>
    /// R_CfD of each response of a batch: Σ_i whiten(−(R_i(x, y) − R_i(x, y_d))²), the whitening per reward model over
    /// the batch, whiten(v) = (v − mean(v)) / sqrt(var(v) + ε) with the biased (1/B) variance.
    /// </summary>
    /// <param name="policyRewards">R_i(x_b, y_b), [B, M] row-major: the M reward models' scores of response b together.</param>
    /// <param name="demoRewards">R_i(x_b, y_d,b), [B, M] row-major, the demonstration of each response's prompt.</param>
    /// <param name="models">M, the number of reward models (the length reward counts as one).</param>
    /// <param name="whitenPerModel">Whiten each model's term (<see cref="RcfdOptions.WhitenPerModel"/>); false sums them raw, as <see cref="Reward"/>.</param>
    /// <param name="epsilon">ε of the whitening: keeps a batch whose term is constant at 0 instead of 0/0.</param>
    public static double[] Rewards(ReadOnlySpan<double> policyRewards, ReadOnlySpan<double> demoRewards, int models,
        bool whitenPerModel = true, double epsilon = DefaultWhiteningEpsilon)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(models, 1);
        CheckSameLength(policyRewards, demoRewards);
        if (policyRewards.Length % models != 0)
        {
            throw new ArgumentException($"{policyRewards.Length} rewards do not split into rows of {models} models", nameof(policyRewards));
        }
        int batch = policyRewards.Length / models;
        var total = new double[batch];
        var term = new double[batch];
        for (int i = 0; i < models; i++)
        {
            for (int b = 0; b < batch; b++)
            {
                double gap = policyRewards[b * models + i] - demoRewards[b * models + i];
                term[b] = -gap * gap;
            }
            if (whitenPerModel) Whiten(term, epsilon);
            for (int b = 0; b < batch; b++) total[b] += term[b];
        }
        return total;
    }

    /// <summary>R_CfD of each response of a batch with the whitening of <paramref name="options"/>.</summary>
    public static double[] Rewards(ReadOnlySpan<double> policyRewards, ReadOnlySpan<double> demoRewards, int models, RcfdOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Rewards(policyRewards, demoRewards, models, options.WhitenPerModel);
    }

    /// <summary>
    /// The built-in length reward model R_len(x, y) = −|y|, |y| the number of response tokens. Calibrated like any other
    /// model, it rewards responses as long as the demonstration.
    /// </summary>
    public static double LengthReward(int responseTokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(responseTokens);
        return -responseTokens;
    }

    /// <summary>
    /// The baseline RCfD replaces: R_β = R(x, y) − β · log(π_θ(y|x) / π_ref(y|x)), at the sequence level, from the
    /// sequence log-probabilities of the response under the policy and the reference.
    /// </summary>
    public static double KlPenalizedReward(double reward, double policyLogProb, double referenceLogProb, double beta) =>
        reward - beta * (policyLogProb - referenceLogProb);

    /// <summary>In place: (v − mean) / sqrt(var + ε), the variance biased (divided by the count).</summary>
    private static void Whiten(Span<double> values, double epsilon)
    {
        double mean = 0;
        foreach (double v in values) mean += v;
        mean /= values.Length;
        double variance = 0;
        foreach (double v in values) variance += (v - mean) * (v - mean);
        variance /= values.Length;
        double scale = 1 / Math.Sqrt(variance + epsilon);
        for (int b = 0; b < values.Length; b++) values[b] = (values[b] - mean) * scale;
    }

    private static void CheckSameLength(ReadOnlySpan<double> policyRewards, ReadOnlySpan<double> demoRewards)
    {
        if (policyRewards.Length != demoRewards.Length)
        {
            throw new ArgumentException($"{policyRewards.Length} policy rewards but {demoRewards.Length} demonstration rewards", nameof(demoRewards));
        }
    }
}

using ActorRL.Models.Tensors;

namespace ActorRL.Models.Objectives;

/// <summary>
/// PPO's token rewards: r_t = −β · k_t on every response token, plus the sequence reward R(x, y) at the last response
/// token, with k_t a <see cref="Kl"/> estimate of KL(π_old ‖ π_ref). The penalty is a reward, not a loss term: it is
/// computed from rollout-time log-probabilities and carries no gradient.
/// </summary>
public static class KlPenalizedReward
{
    /// <summary>
    /// The token rewards [B, T] of a batch. <paramref name="oldLogProbs"/>, <paramref name="refLogProbs"/> and
    /// <paramref name="mask"/> are [B, T] (mask nonzero = response token); <paramref name="sequenceRewards"/> is [B] and
    /// lands on each row's last response token. Masked positions get 0; so does a row without response tokens. β ≥ 0;
    /// 0 leaves only the sequence reward.
    /// </summary>
    public static Tensor Compute(Tensor oldLogProbs, Tensor refLogProbs, Tensor sequenceRewards, Tensor mask, double beta, KlEstimator estimator)
    {
        if (!(beta >= 0) || double.IsInfinity(beta)) throw new ArgumentOutOfRangeException(nameof(beta), beta, "β must be >= 0");
        using var scope = new DisposeScope();
        using var noGrad = NoGradScope.Enter();
        Tensor selected = MaskedMean.Selected(mask);
        Tensor penalty = (-beta * Kl.Estimate(oldLogProbs.Detach(), refLogProbs.Detach(), estimator)).MaskedFill(selected.LogicalNot(), 0);

        // Position t weighs t + 1 where selected, 0 elsewhere: its argmax is the last response token of the row.
        long width = selected.Size(-1);
        Tensor weights = selected.To(ScalarType.Int64) * Torch.Arange(1, width + 1, 1, ScalarType.Int64, selected.Device);
        Tensor last = weights.Argmax(-1, keepDim: true);
        Tensor hasTokens = selected.Sum(-1).Gt(0).To(penalty.DType).Unsqueeze(-1);
        Tensor atLast = sequenceRewards.Detach().To(penalty.DType).Unsqueeze(-1) * hasTokens;
        return scope.MoveToOuter(penalty.ScatterAdd(-1, last, atLast));
    }

    /// <summary>The token rewards of one sequence of response tokens.</summary>
    public static double[] Compute(ReadOnlySpan<double> oldLogProbs, ReadOnlySpan<double> refLogProbs, double sequenceReward, double beta, KlEstimator estimator)
    {
        if (!(beta >= 0) || double.IsInfinity(beta)) throw new ArgumentOutOfRangeException(nameof(beta), beta, "β must be >= 0");
        if (oldLogProbs.Length != refLogProbs.Length)
        {
            throw new ArgumentException($"{oldLogProbs.Length} log-probabilities but {refLogProbs.Length} reference ones", nameof(refLogProbs));
        }
        var rewards = new double[oldLogProbs.Length];
        for (int t = 0; t < rewards.Length; t++) rewards[t] = -beta * Kl.Estimate(oldLogProbs[t], refLogProbs[t], estimator);
        if (rewards.Length > 0) rewards[^1] += sequenceReward;
        return rewards;
    }
}

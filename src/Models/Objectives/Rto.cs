using ActorRL.Models.Tensors;

namespace ActorRL.Models.Objectives;

/// <summary>
/// RTO's token-wise reward from a DPO model (OBJECTIVES.md, "RTO"), for response token t of T:
/// r_t = clip(β1·(log π_dpo(y_t) − log π_ref(y_t)), −c, c) − β2·(log π_old(y_t) − log π_ref(y_t))
///       + [t = T]·clamp(R(x, y), −bound, bound),
/// with β1 = <see cref="RtoOptions.Beta1"/>, c = <see cref="RtoOptions.RewardClip"/>, β2 = <see cref="RtoOptions.Beta2"/>,
/// bound = <see cref="RtoOptions.SequenceRewardBound"/>. The rewards are constants of the PPO update (computed without
/// gradients); GAE turns them into advantages. DRTO uses the same rewards.
/// </summary>
public static class Rto
{
    /// <summary>The token rewards of one response whose every token is a response token; the last one gets R.</summary>
    /// <param name="dpoLogProbs">log π_dpo(y_t), one per response token.</param>
    /// <param name="refLogProbs">log π_ref(y_t).</param>
    /// <param name="oldLogProbs">log π_old(y_t) (the rollout policy's).</param>
    /// <param name="sequenceReward">R(x, y).</param>
    /// <param name="options">β1, c, β2 and the bound on R.</param>
    /// <exception cref="ArgumentException">The log-probabilities differ in length.</exception>
    /// <exception cref="InvalidOptionException">An option is out of range.</exception>
    public static double[] TokenRewards(
        ReadOnlySpan<double> dpoLogProbs, ReadOnlySpan<double> refLogProbs, ReadOnlySpan<double> oldLogProbs, double sequenceReward,
        RtoOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (refLogProbs.Length != dpoLogProbs.Length || oldLogProbs.Length != dpoLogProbs.Length)
        {
            throw new ArgumentException(
                $"log-probabilities of {dpoLogProbs.Length} (dpo), {refLogProbs.Length} (ref) and {oldLogProbs.Length} (old) tokens", nameof(refLogProbs));
        }
        var rewards = new double[dpoLogProbs.Length];
        for (int t = 0; t < rewards.Length; t++)
        {
            double dpo = Math.Clamp(options.Beta1 * (dpoLogProbs[t] - refLogProbs[t]), -options.RewardClip, options.RewardClip);
            rewards[t] = dpo - options.Beta2 * (oldLogProbs[t] - refLogProbs[t]);
        }
        if (rewards.Length > 0) rewards[^1] += Math.Clamp(sequenceReward, -options.SequenceRewardBound, options.SequenceRewardBound);
        return rewards;
    }

    /// <summary>
    /// The token rewards of a [B, T] batch. Row b's last response token, the last position where the mask is set,
    /// gets clamp(R_b); positions outside the mask get 0 (whatever their log-probabilities hold); a row without response
    /// tokens is all 0.
    /// </summary>
    /// <param name="dpoLogProbs">log π_dpo(y_t), floating point [B, T].</param>
    /// <param name="refLogProbs">log π_ref(y_t), [B, T].</param>
    /// <param name="oldLogProbs">log π_old(y_t), [B, T].</param>
    /// <param name="responseMask">[B, T], bool or numeric (non-zero marks a response token).</param>
    /// <param name="sequenceRewards">R(x, y) per row, [B].</param>
    /// <param name="options">β1, c, β2 and the bound on R.</param>
    /// <returns>r, [B, T], in the dtype and on the device of <paramref name="dpoLogProbs"/>, without a graph.</returns>
    /// <exception cref="ArgumentException">A shape does not match.</exception>
    /// <exception cref="InvalidOptionException">An option is out of range.</exception>
    public static Tensor TokenRewards(
        Tensor dpoLogProbs, Tensor refLogProbs, Tensor oldLogProbs, Tensor responseMask, Tensor sequenceRewards, RtoOptions options)
    {
        ArgumentNullException.ThrowIfNull(dpoLogProbs);
        ArgumentNullException.ThrowIfNull(refLogProbs);
        ArgumentNullException.ThrowIfNull(oldLogProbs);
        ArgumentNullException.ThrowIfNull(responseMask);
        ArgumentNullException.ThrowIfNull(sequenceRewards);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        long[] shape = dpoLogProbs.Shape;
        if (shape.Length != 2) throw new ArgumentException($"log-probabilities must be [B, T], not [{string.Join(", ", shape)}]", nameof(dpoLogProbs));
        foreach (var (tensor, name) in new[] { (refLogProbs, nameof(refLogProbs)), (oldLogProbs, nameof(oldLogProbs)), (responseMask, nameof(responseMask)) })
        {
            if (!tensor.Shape.SequenceEqual(shape))
            {
                throw new ArgumentException($"{name} is [{string.Join(", ", tensor.Shape)}], not [{string.Join(", ", shape)}]", name);
            }
        }
        if (!sequenceRewards.Shape.SequenceEqual(new[] { shape[0] }))
        {
            throw new ArgumentException($"sequence rewards are [{string.Join(", ", sequenceRewards.Shape)}], not [{shape[0]}]", nameof(sequenceRewards));
        }

        using var noGrad = NoGradScope.Enter();
        using var scope = new DisposeScope();
        ScalarType dtype = dpoLogProbs.DType;
        Device device = dpoLogProbs.Device;
        var mask = (responseMask.DType == ScalarType.Bool ? responseMask : responseMask.Ne(0)).To(device);
        var reference = refLogProbs.To(device).To(dtype);
        var dpo = ((dpoLogProbs - reference) * options.Beta1).Clamp(-options.RewardClip, options.RewardClip);
        var kl = (oldLogProbs.To(device).To(dtype) - reference) * options.Beta2;

        // The last response position of each row: the position where masked in, −1 elsewhere, then the row maximum;
        // a row without response tokens gets −1, which no position equals.
        var positions = Torch.Arange(shape[1], ScalarType.Int64, device).Unsqueeze(0);
        var inResponse = mask.To(ScalarType.Int64);
        var last = (positions * inResponse + inResponse - 1).Max(1, keepDim: true).Values;
        var isLast = positions.Eq(last);
        var clamped = sequenceRewards.To(device).To(dtype)
            .Clamp(-options.SequenceRewardBound, options.SequenceRewardBound).Unsqueeze(1);
        // where, not a product with the indicator, so that a row's NaN reward stays on its last token.
        var bonus = Torch.Where(isLast, clamped, Torch.Zeros([1], dtype, device));
        var rewards = (dpo - kl + bonus).MaskedFill(mask.LogicalNot(), 0);
        return scope.MoveToOuter(rewards);
    }
}

using ActorRL.Models.Tensors;

namespace ActorRL.Models.Objectives;

/// <summary>
/// The rollout side of a PPO update, fixed while the policy and critic are trained on it: every tensor is [B, T], aligned
/// with the per-token log-probabilities the learner recomputes, and carries no gradient.
/// </summary>
/// <param name="OldLogProbs">log π_old(y_t), from the rollout policy.</param>
/// <param name="Advantages">A_t (usually from <see cref="Gae"/>, whitened over the whole batch).</param>
/// <param name="OldValues">V_old(t), the critic's values at rollout time.</param>
/// <param name="Returns">G_t = A_t + V_old(t), before whitening of A.</param>
/// <param name="Mask">Response tokens (nonzero); padding and prompt positions are 0.</param>
public sealed record PpoBatch(Tensor OldLogProbs, Tensor Advantages, Tensor OldValues, Tensor Returns, Tensor Mask)
{
    /// <summary>Rows [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>): a micro-batch, as views.</summary>
    public PpoBatch Rows(long start, long count) => new(
        OldLogProbs.Narrow(0, start, count),
        Advantages.Narrow(0, start, count),
        OldValues.Narrow(0, start, count),
        Returns.Narrow(0, start, count),
        Mask.Narrow(0, start, count));
}

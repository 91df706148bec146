using ActorRL.Models.Nn;

namespace ActorRL.Models.Rlhf;

/// <summary>
/// An objective that trains the policy on preference pairs instead of rollouts (<c>dpo</c>, <c>ropo</c>). Created by
/// name through <see cref="PreferenceObjectives.Create"/>.
/// </summary>
public interface IPreferenceObjective
{
    /// <summary>The registry name.</summary>
    string Name { get; }

    /// <summary>β of the implicit reward β (log π_θ(y) − log π_ref(y)).</summary>
    double Beta { get; }

    /// <summary>
    /// The loss of one batch under the current policy, with its graph (the weighted mean Σ w ℓ / Σ w over the pairs),
    /// and its diagnostics: <c>loss</c>, <c>reward_accuracy</c>, <c>reward_margin</c>, <c>chosen_reward</c>,
    /// <c>rejected_reward</c> (means over the batch's pairs of weight &gt; 0).
    /// </summary>
    /// <param name="policy">The policy being trained.</param>
    /// <param name="batch">The pairs, with their reference log-probabilities.</param>
    /// <param name="padId">The padding id of the task's tokenizer.</param>
    ObjectiveLoss Loss(CausalLM policy, IReadOnlyList<PreferenceSample> batch, int padId);

    /// <summary>The loss of one pair with margin Δ, without tensors (for filtering and reports).</summary>
    double PairLoss(double margin);
}

namespace ActorRL.Models.Rlhf;

/// <summary>
/// A preference pair as the learner trains on it under DPO or ROPO: its tokens, the constants of its loss (the
/// responses' sequence log-probabilities under the frozen SFT reference) and its weight.
/// </summary>
/// <param name="PairId">The pair's id (<see cref="PreferenceExample.PairId"/>).</param>
/// <param name="Prompt">Prompt token ids.</param>
/// <param name="Chosen">The preferred response y_w.</param>
/// <param name="Rejected">The dispreferred response y_l.</param>
/// <param name="RefChosen">log π_ref(y_w | x), summed over the response tokens.</param>
/// <param name="RefRejected">log π_ref(y_l | x), summed over the response tokens.</param>
/// <param name="Weight">The pair's weight in the batch mean Σ w ℓ / Σ w (ROPO's filter: 1 kept, 0 dropped).</param>
public sealed record PreferenceSample(long PairId, int[] Prompt, int[] Chosen, int[] Rejected, double RefChosen, double RefRejected, double Weight);

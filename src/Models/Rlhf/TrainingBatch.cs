namespace ActorRL.Models.Rlhf;

/// <summary>
/// One sample as the learner trains on it: its tokens and the constants of its loss, per response token
/// (computed by the objective without gradients).
/// </summary>
/// <param name="SampleId">The sample id.</param>
/// <param name="Prompt">Prompt token ids.</param>
/// <param name="Response">Response token ids.</param>
/// <param name="OldLogProbs">log π_old(y_t).</param>
/// <param name="OldValues">V_old(t), or empty when the objective trains no critic.</param>
/// <param name="Advantages">A_t (whitened when the objective whitens).</param>
/// <param name="Returns">G_t = A_t + V_t before whitening, the critic's target, or empty.</param>
/// <param name="RefLogProbs">log π_ref(y_t).</param>
/// <param name="SpanIds">DRTO: the span index of each response token within this sample (0, 1, …), or null.</param>
public sealed record TrainingSample(
    long SampleId, int[] Prompt, int[] Response, float[] OldLogProbs, float[] OldValues, float[] Advantages, float[] Returns,
    float[] RefLogProbs, int[]? SpanIds);

/// <summary>A batch ready for the learner, with the objective's diagnostics of its preparation.</summary>
/// <param name="BatchId">The coordinator's batch id.</param>
/// <param name="Samples">The samples, in the order the learner trains on them.</param>
/// <param name="Metrics">Per-batch figures in snake_case (reward_mean, reward_std, kl, rcfd_alignment, …).</param>
public sealed record TrainingBatch(long BatchId, IReadOnlyList<TrainingSample> Samples, IReadOnlyDictionary<string, double> Metrics);

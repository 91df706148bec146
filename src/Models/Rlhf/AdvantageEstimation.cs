using ActorRL.Models.Objectives;

namespace ActorRL.Models.Rlhf;

/// <summary>
/// The step every PPO-family objective shares after its token rewards: GAE per response (<see cref="Gae"/>, the value
/// after the last token 0), returns G = A + V, then the advantages whitened over every response token of the batch
/// (<see cref="Whitening"/>) — one set of statistics for the batch, never per minibatch.
/// </summary>
internal static class AdvantageEstimation
{
    /// <summary>Advantages and returns per sample, each as long as its response.</summary>
    /// <param name="tokenRewards">r_t per sample.</param>
    /// <param name="values">V_t per sample, as long as its rewards.</param>
    /// <param name="options">γ, λ and whether to whiten.</param>
    public static (float[][] Advantages, float[][] Returns) Compute(IReadOnlyList<double[]> tokenRewards, IReadOnlyList<float[]> values, PpoOptions options)
    {
        ArgumentNullException.ThrowIfNull(tokenRewards);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(options);
        int n = tokenRewards.Count;
        var advantages = new double[n][];
        var returns = new float[n][];
        for (int b = 0; b < n; b++)
        {
            double[] v = [.. values[b].Select(x => (double)x)];
            var (a, g) = Gae.Compute(tokenRewards[b], v, options.Gamma, options.Lambda);
            advantages[b] = a;
            returns[b] = [.. g.Select(x => (float)x)];
        }
        if (options.WhitenAdvantages)
        {
            double[] whitened = Whitening.Whiten(advantages.SelectMany(a => a).ToArray());
            int offset = 0;
            foreach (double[] a in advantages)
            {
                whitened.AsSpan(offset, a.Length).CopyTo(a);
                offset += a.Length;
            }
        }
        return ([.. advantages.Select(a => a.Select(x => (float)x).ToArray())], returns);
    }

    /// <summary>
    /// The learner's samples of a batch from per-sample token rewards: advantages and returns as
    /// <see cref="Compute"/>, the rollout's log-probabilities and values, and DRTO's span ids when given.
    /// </summary>
    public static TrainingSample[] Samples(
        IReadOnlyList<ScoredRollout> batch, IReadOnlyList<double[]> tokenRewards, PpoOptions options, IReadOnlyList<int[]>? spanIds = null)
    {
        var (advantages, returns) = Compute(tokenRewards, [.. batch.Select(s => s.Rollout.Values)], options);
        var samples = new TrainingSample[batch.Count];
        for (int b = 0; b < batch.Count; b++)
        {
            Rollout r = batch[b].Rollout;
            samples[b] = new TrainingSample(
                r.SampleId, r.Prompt, r.Response, r.LogProbs, r.Values, advantages[b], returns[b], batch[b].RefLogProbs, spanIds?[b]);
        }
        return samples;
    }
}

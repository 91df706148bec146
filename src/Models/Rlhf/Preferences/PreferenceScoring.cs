using ActorRL.Models.Nn;
using ActorRL.Models.Objectives;

namespace ActorRL.Models.Rlhf;

/// <summary>Sequence log-probabilities of preference pairs without gradients: the reference's constants, and the policy's margins for ROPO's filter.</summary>
public static class PreferenceScoring
{
    /// <summary>
    /// The pairs as training samples: each response's log π_ref(y | x) under <paramref name="reference"/>, scored
    /// <paramref name="batchSize"/> sequences per pass, and weight <paramref name="weight"/>.
    /// </summary>
    public static IReadOnlyList<PreferenceSample> Samples(CausalLM reference, IReadOnlyList<PreferenceExample> pairs, int padId, int batchSize,
        double weight = 1.0)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(pairs);
        if (pairs.Count == 0) return [];
        double[] chosen = SequenceLogProbs.ComputeValues(reference, [.. pairs.Select(p => (p.Prompt, p.Chosen))], padId, batchSize);
        double[] rejected = SequenceLogProbs.ComputeValues(reference, [.. pairs.Select(p => (p.Prompt, p.Rejected))], padId, batchSize);
        var samples = new PreferenceSample[pairs.Count];
        for (int i = 0; i < samples.Length; i++)
        {
            PreferenceExample p = pairs[i];
            samples[i] = new PreferenceSample(p.PairId, p.Prompt, p.Chosen, p.Rejected, chosen[i], rejected[i], weight);
        }
        return samples;
    }

    /// <summary>The DPO margin Δ of each sample under <paramref name="policy"/> (for ROPO's per-pair losses after a round).</summary>
    public static double[] Margins(CausalLM policy, IReadOnlyList<PreferenceSample> samples, int padId, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0) return [];
        double[] chosen = SequenceLogProbs.ComputeValues(policy, [.. samples.Select(p => (p.Prompt, p.Chosen))], padId, batchSize);
        double[] rejected = SequenceLogProbs.ComputeValues(policy, [.. samples.Select(p => (p.Prompt, p.Rejected))], padId, batchSize);
        var margins = new double[samples.Count];
        for (int i = 0; i < margins.Length; i++) margins[i] = Dpo.Margin(chosen[i], rejected[i], samples[i].RefChosen, samples[i].RefRejected);
        return margins;
    }
}

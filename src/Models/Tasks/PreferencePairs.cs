namespace ActorRL.Models.Tasks;

/// <summary>A labelled preference pair, possibly with its labels swapped by noise.</summary>
/// <param name="Prompt">Index of the prompt both responses answer.</param>
/// <param name="Chosen">The response labelled preferred.</param>
/// <param name="Rejected">The response labelled dispreferred.</param>
/// <param name="ChosenScore">The ground-truth score of <paramref name="Chosen"/>.</param>
/// <param name="RejectedScore">The ground-truth score of <paramref name="Rejected"/>.</param>
/// <param name="Flipped">Whether noise swapped the labels (then the chosen response is truly worse).</param>
public sealed record PreferencePair(int Prompt, string Chosen, string Rejected, double ChosenScore, double RejectedScore, bool Flipped);

/// <summary>How well a noise filter (such as ROPO's) found the flipped pairs.</summary>
/// <param name="Precision">Flipped pairs among the dropped ones, over the dropped; NaN when nothing was dropped.</param>
/// <param name="Recall">Flipped pairs among the dropped ones, over all flipped; NaN when nothing was flipped.</param>
public sealed record NoiseFilterQuality(double Precision, double Recall);

/// <summary>
/// The <c>preferences</c> task, ROPO's noisy-preference setting: chosen/rejected pairs labelled by a ground-truth
/// scorer over candidate responses (any task's: a review's sentiment toward a target, an arithmetic verifier),
/// with symmetric label noise — each pair's labels swapped with probability ρ, seeded, and recorded.
/// </summary>
public static class PreferencePairs
{
    /// <summary>
    /// Labels pairs of candidates: for each prompt, candidates (0, 1), (2, 3), … form pairs (an odd last one is
    /// left out), the truly better one is chosen, then the labels are swapped with probability
    /// <paramref name="noiseRate"/>. Pairs the scorer ties carry no preference and are skipped (no random draw).
    /// </summary>
    /// <param name="candidates">Per prompt, its candidate responses.</param>
    /// <param name="scorer">Ground-truth score of a prompt's response (prompt index, response); higher is better.</param>
    /// <param name="noiseRate">ρ in [0, 1): probability of swapping a pair's labels.</param>
    /// <param name="rng">The noise's random source.</param>
    public static IReadOnlyList<PreferencePair> Label(
        IReadOnlyList<IReadOnlyList<string>> candidates, Func<int, string, double> scorer, double noiseRate, Random rng)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(scorer);
        ArgumentNullException.ThrowIfNull(rng);
        if (noiseRate is not (>= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(noiseRate), noiseRate, "the noise rate must be in [0, 1)");
        var pairs = new List<PreferencePair>();
        for (int prompt = 0; prompt < candidates.Count; prompt++)
        {
            var responses = candidates[prompt];
            for (int i = 0; i + 1 < responses.Count; i += 2)
            {
                double a = scorer(prompt, responses[i]), b = scorer(prompt, responses[i + 1]);
                if (a == b) continue;
                var (better, worse, betterScore, worseScore) = a > b
                    ? (responses[i], responses[i + 1], a, b)
                    : (responses[i + 1], responses[i], b, a);
                bool flipped = rng.NextDouble() < noiseRate;
                pairs.Add(flipped
                    ? new PreferencePair(prompt, worse, better, worseScore, betterScore, true)
                    : new PreferencePair(prompt, better, worse, betterScore, worseScore, false));
            }
        }
        return pairs;
    }

    /// <summary>Precision and recall of the flipped pairs among those a filter dropped (by index into <paramref name="pairs"/>).</summary>
    public static NoiseFilterQuality FilterQuality(IReadOnlyList<PreferencePair> pairs, IReadOnlySet<int> dropped)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentNullException.ThrowIfNull(dropped);
        foreach (int i in dropped)
        {
            if (i < 0 || i >= pairs.Count) throw new ArgumentOutOfRangeException(nameof(dropped), i, "a dropped index is outside the pairs");
        }
        int flippedDropped = dropped.Count(i => pairs[i].Flipped), flipped = pairs.Count(p => p.Flipped);
        return new NoiseFilterQuality(
            dropped.Count == 0 ? double.NaN : flippedDropped / (double)dropped.Count,
            flipped == 0 ? double.NaN : flippedDropped / (double)flipped);
    }

    /// <summary>
    /// Ground-truth win rate of a policy against the SFT model: per prompt, 1 when the policy's response scores
    /// higher, 0.5 on a tie, 0 when lower; averaged over prompts.
    /// </summary>
    public static double WinRate(IReadOnlyList<string> policy, IReadOnlyList<string> sft, Func<int, string, double> scorer)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(sft);
        ArgumentNullException.ThrowIfNull(scorer);
        if (policy.Count != sft.Count || policy.Count == 0) throw new ArgumentException($"need one response each per prompt, not {policy.Count} and {sft.Count}");
        double wins = 0;
        for (int prompt = 0; prompt < policy.Count; prompt++)
        {
            double p = scorer(prompt, policy[prompt]), s = scorer(prompt, sft[prompt]);
            wins += p > s ? 1 : p == s ? 0.5 : 0;
        }
        return wins / policy.Count;
    }
}

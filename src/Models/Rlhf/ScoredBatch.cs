namespace ActorRL.Models.Rlhf;

/// <summary>Checks and figures of a batch of scored rollouts that every objective's <c>Prepare</c> shares.</summary>
internal static class ScoredBatch
{
    /// <summary>
    /// Throws <see cref="ArgumentException"/> naming the sample whose arrays do not fit its response: log-probabilities,
    /// values (required: every PPO-family objective trains a critic), reference and DPO log-probabilities, rewards and,
    /// when <paramref name="needsDemoRewards"/>, demonstration rewards.
    /// </summary>
    public static void Check(IReadOnlyList<ScoredRollout> batch, string objective, bool needsDpo, bool needsDemoRewards)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0) throw new ArgumentException($"{objective}: the batch is empty", nameof(batch));
        foreach (ScoredRollout s in batch)
        {
            ArgumentNullException.ThrowIfNull(s);
            Rollout r = s.Rollout;
            int t = r.Response.Length;
            string which = $"{objective}: sample {r.SampleId}";
            if (r.LogProbs.Length != t) throw new ArgumentException($"{which} has {r.LogProbs.Length} log-probabilities for {t} response tokens", nameof(batch));
            if (t > 0 && r.Values.Length == 0)
            {
                throw new ArgumentException($"{which} has no values: {objective} trains a critic, so the rollout policy needs a value head", nameof(batch));
            }
            if (r.Values.Length != t) throw new ArgumentException($"{which} has {r.Values.Length} values for {t} response tokens", nameof(batch));
            if (s.RefLogProbs.Length != t) throw new ArgumentException($"{which} has {s.RefLogProbs.Length} reference log-probabilities for {t} response tokens", nameof(batch));
            if (s.Rewards.Length == 0) throw new ArgumentException($"{which} has no reward", nameof(batch));
            if (needsDpo)
            {
                if (s.DpoLogProbs is null) throw new ArgumentException($"{which} has no DPO log-probabilities (score it with the DPO model)", nameof(batch));
                if (s.DpoLogProbs.Length != t) throw new ArgumentException($"{which} has {s.DpoLogProbs.Length} DPO log-probabilities for {t} response tokens", nameof(batch));
            }
            if (needsDemoRewards)
            {
                if (s.DemoRewards is null) throw new ArgumentException($"{which} has no demonstration rewards", nameof(batch));
                if (s.DemoRewards.Length != s.Rewards.Length)
                {
                    throw new ArgumentException($"{which} has {s.DemoRewards.Length} demonstration rewards for {s.Rewards.Length} rewards", nameof(batch));
                }
            }
        }
    }

    /// <summary>
    /// reward_mean and reward_std (biased) of the first reward source R_0, kl = mean over samples of the sequence k1
    /// Σ_t (log π_old − log π_ref), and response_length (mean tokens).
    /// </summary>
    public static Dictionary<string, double> Metrics(IReadOnlyList<ScoredRollout> batch)
    {
        double[] rewards = [.. batch.Select(s => s.Rewards[0])];
        double mean = rewards.Average();
        double variance = rewards.Select(r => (r - mean) * (r - mean)).Average();
        double kl = batch.Average(s =>
        {
            double sum = 0;
            for (int t = 0; t < s.RefLogProbs.Length; t++) sum += s.Rollout.LogProbs[t] - (double)s.RefLogProbs[t];
            return sum;
        });
        return new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["reward_mean"] = mean,
            ["reward_std"] = Math.Sqrt(variance),
            ["kl"] = kl,
            ["response_length"] = batch.Average(s => s.Rollout.Response.Length),
        };
    }

    /// <summary>The values widened to double.</summary>
    public static double[] Doubles(float[] values) => [.. values.Select(v => (double)v)];
}

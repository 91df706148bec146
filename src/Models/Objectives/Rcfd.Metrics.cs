namespace ActorRL.Models.Objectives;

public static partial class Rcfd
{
    /// <summary>
    /// The default additive smoothing of <see cref="Alignment(ReadOnlySpan{double}, ReadOnlySpan{double}, int, double)"/>:
    /// 1e-6 added to every bin's probability before renormalizing.
    /// </summary>
    public const double DefaultAlignmentSmoothing = 1e-6;

    /// <summary>
    /// The headline metric A = KL(p_demo ‖ p_policy) of RCfD, with the default smoothing
    /// <see cref="DefaultAlignmentSmoothing"/>; see <see cref="Alignment(ReadOnlySpan{double}, ReadOnlySpan{double}, int, double)"/>.
    /// </summary>
    public static double Alignment(ReadOnlySpan<double> demoRewards, ReadOnlySpan<double> policyRewards, int bins) =>
        Alignment(demoRewards, policyRewards, bins, DefaultAlignmentSmoothing);

    /// <summary>
    /// A = KL(p_demo ‖ p_policy) = Σ_k p_demo,k log(p_demo,k / p_policy,k) between the histograms of the demonstration
    /// rewards and the policy rewards (on validation prompts). 0 is perfect; it is 0 whenever the two histograms agree,
    /// in particular for identical samples.
    /// </summary>
    /// <remarks>
    /// The bins are shared: <paramref name="bins"/> equal-width bins spanning the minimum to the maximum of both samples
    /// together, each [e_k, e_k+1) and the last closed; when every value is equal there is one bin and A = 0.
    /// A bin the policy never reaches while the demonstrations do would make KL infinite, so both histograms are
    /// smoothed additively: p_k = (h_k + ε) / (1 + bins·ε) with h_k the fraction of the sample in bin k and
    /// ε = <paramref name="smoothing"/>. Such a bin then costs about p_demo,k · log(p_demo,k / ε), large but finite, and
    /// comparable across runs that use the same ε. ε = 0 gives the unsmoothed KL, +∞ in that case.
    /// </remarks>
    /// <exception cref="ArgumentException">A sample is empty or holds a NaN or infinity.</exception>
    public static double Alignment(ReadOnlySpan<double> demoRewards, ReadOnlySpan<double> policyRewards, int bins, double smoothing)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        if (!(smoothing >= 0) || double.IsInfinity(smoothing)) throw new ArgumentOutOfRangeException(nameof(smoothing), smoothing, "must be finite and >= 0");
        CheckSample(demoRewards, nameof(demoRewards));
        CheckSample(policyRewards, nameof(policyRewards));
        double low = Math.Min(Min(demoRewards), Min(policyRewards));
        double high = Math.Max(Max(demoRewards), Max(policyRewards));
        double[] demo = Histogram(demoRewards, low, high, bins, smoothing);
        double[] policy = Histogram(policyRewards, low, high, bins, smoothing);
        double kl = 0;
        for (int k = 0; k < bins; k++)
        {
            // 0 · log(0 / q) = 0 by convention: bins the demonstrations never reach cost nothing.
            if (demo[k] > 0) kl += demo[k] * Math.Log(demo[k] / policy[k]);
        }
        return kl;
    }

    /// <summary>
    /// Distinct-n: the number of different n-grams divided by the number of n-grams, pooled over all
    /// <paramref name="sequences"/> (corpus level, as Li et al. 2016): 1 when no n-gram repeats, near 0 for a
    /// collapsed policy. A sequence shorter than n contributes no n-gram; with no n-gram at all the result is 0.
    /// </summary>
    public static double DistinctN(IEnumerable<IReadOnlyList<int>> sequences, int n)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        var seen = new HashSet<int[]>(NGramComparer.Instance);
        long total = 0;
        foreach (IReadOnlyList<int> sequence in sequences)
        {
            for (int start = 0; start + n <= sequence.Count; start++)
            {
                var gram = new int[n];
                for (int j = 0; j < n; j++) gram[j] = sequence[start + j];
                seen.Add(gram);
                total++;
            }
        }
        return total == 0 ? 0 : (double)seen.Count / total;
    }

    /// <summary>The mean of the rewards (the metric reported next to <see cref="Alignment(ReadOnlySpan{double}, ReadOnlySpan{double}, int)"/>).</summary>
    public static double MeanReward(ReadOnlySpan<double> rewards)
    {
        if (rewards.IsEmpty) throw new ArgumentException("the mean of no rewards is undefined", nameof(rewards));
        double sum = 0;
        foreach (double r in rewards) sum += r;
        return sum / rewards.Length;
    }

    private static double[] Histogram(ReadOnlySpan<double> values, double low, double high, int bins, double smoothing)
    {
        var p = new double[bins];
        double width = (high - low) / bins;
        foreach (double v in values)
        {
            int k = width > 0 ? (int)Math.Floor((v - low) / width) : 0;
            p[Math.Clamp(k, 0, bins - 1)] += 1;
        }
        double norm = values.Length * (1 + bins * smoothing);
        for (int k = 0; k < bins; k++) p[k] = (p[k] + values.Length * smoothing) / norm;
        return p;
    }

    private static void CheckSample(ReadOnlySpan<double> values, string name)
    {
        if (values.IsEmpty) throw new ArgumentException("the sample is empty", name);
        foreach (double v in values)
        {
            if (!double.IsFinite(v)) throw new ArgumentException($"the sample holds {v}", name);
        }
    }

    private static double Min(ReadOnlySpan<double> values)
    {
        double m = values[0];
        foreach (double v in values) m = Math.Min(m, v);
        return m;
    }

    private static double Max(ReadOnlySpan<double> values)
    {
        double m = values[0];
        foreach (double v in values) m = Math.Max(m, v);
        return m;
    }

    /// <summary>Compares n-grams element by element.</summary>
    private sealed class NGramComparer : IEqualityComparer<int[]>
    {
        public static readonly NGramComparer Instance = new();

        public bool Equals(int[]? x, int[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(int[] obj)
        {
            var hash = new HashCode();
            foreach (int token in obj) hash.Add(token);
            return hash.ToHashCode();
        }
    }
}

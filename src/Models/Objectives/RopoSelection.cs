namespace ActorRL.Models.Objectives;

/// <summary>
/// ROPO's iterative filter (OBJECTIVES.md, "ROPO"): after a round of training, compute ℓ_ropo per pair, keep the
/// (1 − ρ)·N pairs with the lowest loss (weight 1) and drop the rest (weight 0), ρ being the expected noise rate.
/// High-loss pairs are those the model contradicts most: the likely flipped labels.
/// </summary>
/// <remarks>
/// The order is total and deterministic: by loss, ties broken by the lower index first, and a NaN loss after every
/// number (a pair whose loss cannot be computed is the first to go).
/// </remarks>
public static class RopoSelection
{
    /// <summary>
    /// How many of <paramref name="pairs"/> pairs to keep at noise rate ρ = <paramref name="noiseRate"/>: (1 − ρ)N rounded
    /// as <paramref name="rounding"/> says. A product within 1e-9 of a whole number counts as that number, so that
    /// (1 − 0.7) · 10 = 3.0000000000000004 keeps 3 pairs under either rounding.
    /// </summary>
    public static int KeepCount(int pairs, double noiseRate, RopoKeepRounding rounding = RopoKeepRounding.Ceiling)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pairs);
        if (!(noiseRate >= 0 && noiseRate <= 1)) throw new ArgumentOutOfRangeException(nameof(noiseRate), noiseRate, "the noise rate must be in [0, 1]");
        double exact = (1 - noiseRate) * pairs;
        double nearest = Math.Round(exact);
        if (Math.Abs(exact - nearest) <= 1e-9 * Math.Max(1, pairs)) return (int)nearest;
        return (int)(rounding == RopoKeepRounding.Ceiling ? Math.Ceiling(exact) : Math.Floor(exact));
    }

    /// <summary>The indices of the kept pairs, in ascending index order.</summary>
    public static int[] KeepLowestLoss(ReadOnlySpan<double> losses, double noiseRate, RopoKeepRounding rounding = RopoKeepRounding.Ceiling)
    {
        int keep = KeepCount(losses.Length, noiseRate, rounding);
        int[] order = RankByLoss(losses);
        int[] kept = order[..keep];
        Array.Sort(kept);
        return kept;
    }

    /// <summary>The weight of each pair: 1 if kept, 0 if dropped.</summary>
    public static double[] Weights(ReadOnlySpan<double> losses, double noiseRate, RopoKeepRounding rounding = RopoKeepRounding.Ceiling)
    {
        var weights = new double[losses.Length];
        foreach (int i in KeepLowestLoss(losses, noiseRate, rounding)) weights[i] = 1;
        return weights;
    }

    /// <summary>The median: the middle value, or the mean of the two middle values of an even count.</summary>
    /// <exception cref="ArgumentException">No values, or a NaN among them.</exception>
    public static double Median(ReadOnlySpan<double> values)
    {
        if (values.IsEmpty) throw new ArgumentException("the median of no values is undefined", nameof(values));
        double[] sorted = values.ToArray();
        if (Array.Exists(sorted, double.IsNaN)) throw new ArgumentException("a NaN has no place in a median", nameof(values));
        Array.Sort(sorted);
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>Indices ordered by loss ascending, ties by index, NaN last.</summary>
    internal static int[] RankByLoss(ReadOnlySpan<double> losses)
    {
        double[] keys = losses.ToArray();
        int[] order = new int[keys.Length];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        Array.Sort(order, (a, b) =>
        {
            bool nanA = double.IsNaN(keys[a]), nanB = double.IsNaN(keys[b]);
            int byLoss = nanA || nanB ? nanA.CompareTo(nanB) : keys[a].CompareTo(keys[b]);
            return byLoss != 0 ? byLoss : a.CompareTo(b);
        });
        return order;
    }
}

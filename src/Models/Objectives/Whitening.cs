using ActorRL.Models.Tensors;

namespace ActorRL.Models.Objectives;

/// <summary>
/// Whitening over a batch (OBJECTIVES.md: "advantages whitened over the batch"): (x − μ) / sqrt(σ² + ε), with the mean
/// μ and variance σ² taken over the response tokens of the whole batch. Whiten the full batch before splitting it into
/// micro-batches: statistics of a micro-batch would give each micro-batch its own scale.
/// </summary>
/// <remarks>
/// The variance is biased (divides by N) by default: the whitened values then have variance exactly 1 over the tokens
/// whitened, it is what "1/n variance" means elsewhere in OBJECTIVES.md, and it is defined for N = 1. The unbiased
/// variance (divides by N − 1; TRL's and veRL's <c>masked_whiten</c>) differs by a factor N/(N − 1), negligible for the
/// thousands of tokens of a PPO batch; choose it with <c>unbiased</c>.
/// </remarks>
public static class Whitening
{
    /// <summary>The ε added to the variance by default.</summary>
    public const double DefaultEpsilon = 1e-8;

    /// <summary>
    /// <paramref name="values"/> [B, T] whitened with the statistics of the positions <paramref name="mask"/> selects
    /// (nonzero); other positions become 0. With <paramref name="unbiased"/> and a single selected position the
    /// variance is taken as 0.
    /// </summary>
    public static Tensor Whiten(Tensor values, Tensor mask, bool unbiased = false, double epsilon = DefaultEpsilon)
    {
        Tensor selected = MaskedMean.Selected(mask);
        Tensor count = selected.To(values.DType).Sum();
        Tensor mean = MaskedMean.Sum(values, selected) / count.Clamp(min: 1);
        Tensor centered = (values - mean).MaskedFill(selected.LogicalNot(), 0);
        Tensor variance = centered.Square().Sum() / (unbiased ? count - 1 : count).Clamp(min: 1);
        return centered * (variance + epsilon).Rsqrt();
    }

    /// <summary>The same over all of <paramref name="values"/>, in doubles.</summary>
    public static double[] Whiten(ReadOnlySpan<double> values, bool unbiased = false, double epsilon = DefaultEpsilon)
    {
        if (values.IsEmpty) return [];
        double mean = 0;
        foreach (double x in values) mean += x;
        mean /= values.Length;
        double squares = 0;
        foreach (double x in values) squares += (x - mean) * (x - mean);
        double variance = squares / Math.Max(unbiased ? values.Length - 1 : values.Length, 1);
        double scale = 1 / Math.Sqrt(variance + epsilon);
        var whitened = new double[values.Length];
        for (int i = 0; i < values.Length; i++) whitened[i] = (values[i] - mean) * scale;
        return whitened;
    }
}

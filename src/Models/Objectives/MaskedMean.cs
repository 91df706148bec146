using ActorRL.Models.Tensors;

namespace ActorRL.Models.Objectives;

/// <summary>
/// Means of per-token values x [B, T] over the response tokens a mask [B, T] selects (nonzero = response token; bool,
/// integer or float). Masked positions are filled with 0 rather than multiplied by 0, so that a non-finite value on
/// padding cannot turn the mean into NaN.
/// </summary>
/// <remarks>
/// <see cref="Of"/> and <see cref="PerSequence"/> divide by the counts of the tensor they are given, which is right
/// only when it holds the whole batch. A learner that splits the batch into micro-batches and accumulates gradients
/// calls <see cref="Reduce(Tensor, Tensor, MaskedNormalizer)"/> with a <see cref="MaskedNormalizer"/> counted over the whole batch: then the micro-batch
/// losses sum to the full-batch loss exactly.
/// </remarks>
public static class MaskedMean
{
    /// <summary>Σ_t x_t over the selected positions (a scalar): the numerator that adds up across micro-batches.</summary>
    public static Tensor Sum(Tensor x, Tensor mask) => Zeroed(x, mask).Sum();

    /// <summary>Σ x / (number of selected positions) over this tensor alone; 0 when nothing is selected.</summary>
    public static Tensor Of(Tensor x, Tensor mask) => Sum(x, mask) / Count(x, mask).Sum().Clamp(min: 1);

    /// <summary>[B]: each row's mean over its selected positions; 0 for a row without any.</summary>
    public static Tensor PerSequence(Tensor x, Tensor mask) => Zeroed(x, mask).Sum(-1) / Count(x, mask).Sum(-1).Clamp(min: 1);

    /// <summary>
    /// This (micro-)batch's share of the batch loss: Σ_t x_t / N_tokens for <see cref="MaskedReduction.TokenMean"/>, or
    /// Σ_rows (row's masked mean) / N_sequences for <see cref="MaskedReduction.SequenceMean"/>, with the counts N of
    /// <paramref name="normalizer"/> (the whole batch's).
    /// </summary>
    public static Tensor Reduce(Tensor x, Tensor mask, MaskedNormalizer normalizer)
    {
        ArgumentNullException.ThrowIfNull(normalizer);
        Tensor total = normalizer.Reduction == MaskedReduction.TokenMean ? Sum(x, mask) : PerSequence(x, mask).Sum();
        return total / normalizer.Denominator;
    }

    /// <summary>
    /// The same reduction in doubles, for checking: <paramref name="sequences"/> holds each sequence's per-token values
    /// over its response tokens only; sequences without tokens count for neither the mean nor the denominator.
    /// </summary>
    public static double Reduce(IReadOnlyList<double[]> sequences, MaskedReduction reduction)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        double total = 0, count = 0;
        foreach (double[] sequence in sequences)
        {
            if (sequence.Length == 0) continue;
            double sum = sequence.Sum();
            (total, count) = reduction == MaskedReduction.TokenMean
                ? (total + sum, count + sequence.Length)
                : (total + sum / sequence.Length, count + 1);
        }
        return count == 0 ? 0 : total / count;
    }

    /// <summary>The mask as bool (nonzero = selected).</summary>
    internal static Tensor Selected(Tensor mask) => mask.DType == ScalarType.Bool ? mask : mask.Ne(0);

    private static Tensor Zeroed(Tensor x, Tensor mask) => x.MaskedFill(Selected(mask).LogicalNot(), 0);

    private static Tensor Count(Tensor x, Tensor mask) => Selected(mask).To(x.DType);
}

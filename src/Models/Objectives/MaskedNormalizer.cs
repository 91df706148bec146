using ActorRL.Models.Tensors;

namespace ActorRL.Models.Objectives;

/// <summary>
/// A <see cref="MaskedReduction"/> together with the count of the whole batch it divides by: the number of response
/// tokens (<see cref="MaskedReduction.TokenMean"/>) or of sequences with at least one response token
/// (<see cref="MaskedReduction.SequenceMean"/>). Counting once over the full batch, not per micro-batch, is what makes
/// the micro-batch losses (and so their gradients) sum exactly to the full-batch loss: a micro-batch's own mean would
/// weigh its tokens by 1/(its size), and micro-batches of unequal size would bias the update.
/// </summary>
public sealed record MaskedNormalizer
{
    /// <summary>A reduction that divides by <paramref name="denominator"/>, which must be positive.</summary>
    public MaskedNormalizer(MaskedReduction reduction, double denominator)
    {
        if (!(denominator > 0) || double.IsInfinity(denominator))
        {
            throw new ArgumentOutOfRangeException(nameof(denominator), denominator, "the normalizer must be a positive count");
        }
        Reduction = reduction;
        Denominator = denominator;
    }

    /// <summary>Which reduction.</summary>
    public MaskedReduction Reduction { get; }

    /// <summary>Response tokens or sequences of the whole batch.</summary>
    public double Denominator { get; }

    /// <summary>
    /// The normalizer of a full batch given by its response mask [B, T] (nonzero = response token). A batch without any
    /// response token counts as 1, so that its loss is 0 rather than 0/0.
    /// </summary>
    public static MaskedNormalizer For(Tensor fullBatchMask, MaskedReduction reduction = MaskedReduction.SequenceMean) =>
        For([fullBatchMask], reduction);

    /// <summary>The normalizer of a full batch given as the masks of all its micro-batches (each [B_i, T_i]).</summary>
    public static MaskedNormalizer For(ReadOnlySpan<Tensor> microBatchMasks, MaskedReduction reduction = MaskedReduction.SequenceMean)
    {
        double count = 0;
        using var scope = new DisposeScope();
        using var noGrad = NoGradScope.Enter();
        foreach (Tensor mask in microBatchMasks)
        {
            Tensor selected = MaskedMean.Selected(mask);
            count += reduction == MaskedReduction.TokenMean
                ? selected.Sum().ToDouble()
                : selected.Sum(-1).Gt(0).Sum().ToDouble();
        }
        return new MaskedNormalizer(reduction, Math.Max(count, 1));
    }
}

using ActorRL.Models.Tensors;

namespace ActorRL.Models.Objectives;

/// <summary>
/// The ROPO loss (OBJECTIVES.md, "ROPO"): with the DPO margin Δ (<see cref="Dpo.Margin"/>), s = σ(βΔ),
/// ℓ_dpo = −log σ(βΔ) and the non-aggressive term ℓ_na = σ(−βΔ),
/// ℓ_ropo = (4α / (1+α)²) · (ℓ_dpo + α · ℓ_na). Defaults β = 0.1, α = 14 (<see cref="RopoOptions"/>).
/// </summary>
/// <remarks>
/// Differentiating, ∂ℓ_ropo/∂Δ = −β · w(Δ) with w = (4α/(1+α)²)(1−s)(1+αs) (<see cref="GradientWeight"/>), where plain
/// DPO has w = 1−s. DPO pushes hardest on the pairs it gets most wrong (w → 1 as Δ → −∞); ROPO's weight peaks at
/// exactly 1 at s* = (α−1)/(2α) and falls back to 4α/(1+α)² for pairs the model strongly contradicts, which are the
/// likely flipped labels. The constant 4α/(1+α)² is what makes the peak 1. The functions do not validate β and α:
/// <see cref="RopoOptions.Validate"/> does that once at start-up.
/// </remarks>
public static class Ropo
{
    /// <summary>ℓ_ropo of one pair with margin Δ = <paramref name="margin"/>.</summary>
    public static double Loss(double margin, double beta, double alpha)
    {
        double z = beta * margin;
        return Scale(alpha) * (-Dpo.LogSigmoid(z) + alpha * Dpo.Sigmoid(-z));
    }

    /// <summary>ℓ_ropo of one pair with β and α from <paramref name="options"/>.</summary>
    public static double Loss(double margin, RopoOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Loss(margin, options.Beta, options.Alpha);
    }

    /// <summary>
    /// w = (4α/(1+α)²)(1−s)(1+αs), s = σ(βΔ): the factor in ∇_θ ℓ_ropo = −β · w · ∇_θ Δ, to compare with DPO's 1−s.
    /// At most 1 (at s* = (α−1)/(2α)); 4α/(1+α)² as Δ → −∞; 0 as Δ → +∞.
    /// </summary>
    public static double GradientWeight(double margin, double beta, double alpha)
    {
        double s = Dpo.Sigmoid(beta * margin);
        // 1 − s as σ(−βΔ) keeps its relative precision where s rounds to 1.
        return Scale(alpha) * Dpo.Sigmoid(-beta * margin) * (1 + alpha * s);
    }

    /// <summary>ℓ_ropo of each pair, for filtering (no autograd).</summary>
    public static double[] PairLosses(ReadOnlySpan<double> margins, double beta, double alpha)
    {
        var losses = new double[margins.Length];
        for (int i = 0; i < margins.Length; i++) losses[i] = Loss(margins[i], beta, alpha);
        return losses;
    }

    /// <summary>ℓ_ropo of each pair [B] from the margins [B], differentiable in the margins.</summary>
    public static Tensor PairLosses(Tensor margins, double beta, double alpha)
    {
        ArgumentNullException.ThrowIfNull(margins);
        Tensor z = margins * beta;
        return Scale(alpha) * (-z.LogSigmoid() + alpha * (-z).Sigmoid());
    }

    /// <summary>
    /// The batch loss (a scalar tensor): the mean of <see cref="PairLosses(Tensor, double, double)"/>, or with
    /// <paramref name="weights"/> [B] (the 0/1 weights of <see cref="RopoSelection"/>, constants) the weighted mean
    /// Σ w ℓ / Σ w, so that a batch averages over the pairs it keeps. A batch whose weights are all 0 has loss 0
    /// and no gradient instead of 0/0.
    /// </summary>
    public static Tensor Loss(Tensor margins, double beta, double alpha, Tensor? weights = null)
    {
        Tensor losses = PairLosses(margins, beta, alpha);
        if (weights is null) return losses.Mean();
        Tensor w = weights.DType == losses.DType ? weights : weights.To(losses.DType);
        Tensor total = w.Sum();
        // Adding 1 only where Σ w = 0 turns 0/0 into 0/1 whatever the dtype (a tiny clamp underflows in half precision).
        return (losses * w).Sum() / (total + total.Eq(0).To(total.DType));
    }

    /// <summary>The batch loss with β and α from <paramref name="options"/>.</summary>
    public static Tensor Loss(Tensor margins, RopoOptions options, Tensor? weights = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Loss(margins, options.Beta, options.Alpha, weights);
    }

    /// <summary>4α / (1+α)²: normalizes the peak of the gradient weight to 1.</summary>
    private static double Scale(double alpha) => 4 * alpha / ((1 + alpha) * (1 + alpha));
}

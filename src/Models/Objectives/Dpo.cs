using ActorRL.Models.Tensors;

namespace ActorRL.Models.Objectives;

/// <summary>
/// Direct preference optimization, the loss ROPO builds on and its baselines (OBJECTIVES.md, "ROPO"). For a prompt x
/// with a preferred response y_w and a dispreferred one y_l, the DPO margin is
/// Δ = [log π_θ(y_w) − log π_ref(y_w)] − [log π_θ(y_l) − log π_ref(y_l)], where log π(y) is the sum of the token
/// log-probabilities over the response tokens (<see cref="SequenceLogProbs"/>). The loss is ℓ_dpo = −log σ(βΔ);
/// conservative DPO, which assumes each label is flipped with probability ε, is −(1−ε) log σ(βΔ) − ε log σ(−βΔ).
/// </summary>
/// <remarks>
/// The tensor functions keep the autograd graph, so the gradient reaches the policy's token log-probabilities
/// through the sequence sums; reference log-probabilities are constants (pass them detached). The double functions
/// compute the same values for bookkeeping (filtering, diagnostics) without tensors. Neither validates β or ε:
/// <see cref="DpoOptions.Validate"/> does that once at start-up.
/// </remarks>
public static class Dpo
{
    /// <summary>
    /// log π(y) per sequence: the sum of <paramref name="tokenLogProbs"/> [B, T] over the positions where
    /// <paramref name="responseMask"/> [B, T] (bool, or numbers where non-zero means a response token) is set.
    /// </summary>
    /// <remarks>
    /// Prompt and padding positions are filled with 0 rather than multiplied by the mask, so that a −∞ or NaN
    /// log-probability at a padding position can neither poison the sum nor its gradient.
    /// </remarks>
    public static Tensor SequenceLogProbs(Tensor tokenLogProbs, Tensor responseMask)
    {
        ArgumentNullException.ThrowIfNull(tokenLogProbs);
        ArgumentNullException.ThrowIfNull(responseMask);
        Tensor keep = responseMask.DType == ScalarType.Bool ? responseMask : responseMask.Ne(0);
        return tokenLogProbs.MaskedFill(keep.LogicalNot(), 0).Sum(-1);
    }

    /// <summary>log π(y) of one sequence: the sum of <paramref name="tokenLogProbs"/> where <paramref name="responseMask"/> is set.</summary>
    public static double SequenceLogProb(ReadOnlySpan<double> tokenLogProbs, ReadOnlySpan<bool> responseMask)
    {
        if (tokenLogProbs.Length != responseMask.Length)
        {
            throw new ArgumentException($"{tokenLogProbs.Length} log-probabilities but {responseMask.Length} mask entries", nameof(responseMask));
        }
        double sum = 0;
        for (int t = 0; t < tokenLogProbs.Length; t++)
        {
            if (responseMask[t]) sum += tokenLogProbs[t];
        }
        return sum;
    }

    /// <summary>Δ per pair [B] from the sequence log-probabilities [B] of the chosen (y_w) and rejected (y_l) responses.</summary>
    public static Tensor Margins(Tensor policyChosen, Tensor policyRejected, Tensor referenceChosen, Tensor referenceRejected)
    {
        ArgumentNullException.ThrowIfNull(policyChosen);
        ArgumentNullException.ThrowIfNull(policyRejected);
        ArgumentNullException.ThrowIfNull(referenceChosen);
        ArgumentNullException.ThrowIfNull(referenceRejected);
        return (policyChosen - referenceChosen) - (policyRejected - referenceRejected);
    }

    /// <summary>Δ of one pair from the sequence log-probabilities of the chosen (y_w) and rejected (y_l) responses.</summary>
    public static double Margin(double policyChosen, double policyRejected, double referenceChosen, double referenceRejected) =>
        (policyChosen - referenceChosen) - (policyRejected - referenceRejected);

    /// <summary>
    /// The implicit reward β (log π_θ(y) − log π_ref(y)) of a response: DPO's policy defines the reward it optimizes,
    /// and the margin is the difference of two of them divided by β.
    /// </summary>
    public static double ImplicitReward(double policyLogProb, double referenceLogProb, double beta) =>
        beta * (policyLogProb - referenceLogProb);

    /// <summary>−(1−ε) log σ(βΔ) − ε log σ(−βΔ) of one pair; ε = 0 is plain DPO, −log σ(βΔ).</summary>
    public static double Loss(double margin, double beta, double labelSmoothing = 0)
    {
        double z = beta * margin;
        return -(1 - labelSmoothing) * LogSigmoid(z) - labelSmoothing * LogSigmoid(-z);
    }

    /// <summary>The loss of each pair [B] from the margins [B], differentiable in the margins.</summary>
    public static Tensor PairLosses(Tensor margins, double beta, double labelSmoothing = 0)
    {
        ArgumentNullException.ThrowIfNull(margins);
        Tensor z = margins * beta;
        Tensor loss = -z.LogSigmoid();
        // Plain DPO skips the second term rather than multiplying it by zero: fewer kernels per step.
        return labelSmoothing == 0 ? loss : (1 - labelSmoothing) * loss - labelSmoothing * (-z).LogSigmoid();
    }

    /// <summary>The batch loss: the mean of <see cref="PairLosses"/> over the pairs (a scalar tensor).</summary>
    public static Tensor Loss(Tensor margins, double beta, double labelSmoothing = 0) =>
        PairLosses(margins, beta, labelSmoothing).Mean();

    /// <summary>The batch loss with β and ε from <paramref name="options"/>.</summary>
    public static Tensor Loss(Tensor margins, DpoOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Loss(margins, options.Beta, options.LabelSmoothing);
    }

    /// <summary>
    /// What DPO trainers report per batch, from the sequence log-probabilities of each pair: the mean loss, the mean
    /// implicit rewards of the chosen and rejected responses, their mean difference βΔ, and the accuracy.
    /// </summary>
    public static DpoDiagnostics Diagnostics(ReadOnlySpan<double> policyChosen, ReadOnlySpan<double> policyRejected,
        ReadOnlySpan<double> referenceChosen, ReadOnlySpan<double> referenceRejected, double beta, double labelSmoothing = 0)
    {
        int n = policyChosen.Length;
        if (n == 0) throw new ArgumentException("no pairs", nameof(policyChosen));
        if (policyRejected.Length != n || referenceChosen.Length != n || referenceRejected.Length != n)
        {
            throw new ArgumentException(
                $"pair counts differ: {n} policy chosen, {policyRejected.Length} policy rejected, {referenceChosen.Length} reference chosen, {referenceRejected.Length} reference rejected");
        }
        double loss = 0, chosen = 0, rejected = 0;
        int correct = 0;
        for (int i = 0; i < n; i++)
        {
            double rw = ImplicitReward(policyChosen[i], referenceChosen[i], beta);
            double rl = ImplicitReward(policyRejected[i], referenceRejected[i], beta);
            loss += Loss(Margin(policyChosen[i], policyRejected[i], referenceChosen[i], referenceRejected[i]), beta, labelSmoothing);
            chosen += rw;
            rejected += rl;
            // A tie counts as wrong: the model has not yet told the two responses apart.
            if (rw > rl) correct++;
        }
        return new DpoDiagnostics(loss / n, chosen / n, rejected / n, (chosen - rejected) / n, (double)correct / n);
    }

    /// <summary><see cref="Diagnostics(ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, double, double)"/> from tensors [B] on any device.</summary>
    public static DpoDiagnostics Diagnostics(Tensor policyChosen, Tensor policyRejected, Tensor referenceChosen, Tensor referenceRejected,
        double beta, double labelSmoothing = 0) =>
        Diagnostics(ToDoubles(policyChosen), ToDoubles(policyRejected), ToDoubles(referenceChosen), ToDoubles(referenceRejected), beta, labelSmoothing);

    /// <summary>log σ(x), without overflow for large |x|.</summary>
    internal static double LogSigmoid(double x) => x >= 0 ? -Log1P(Math.Exp(-x)) : x - Log1P(Math.Exp(x));

    /// <summary>σ(x), without overflow for large |x|.</summary>
    internal static double Sigmoid(double x)
    {
        if (x >= 0) return 1 / (1 + Math.Exp(-x));
        double e = Math.Exp(x);
        return e / (1 + e);
    }

    /// <summary>log(1 + u) accurate for tiny u (Goldberg's trick: the rounding of 1 + u cancels in the ratio).</summary>
    private static double Log1P(double u)
    {
        double w = 1 + u;
        return w == 1 ? u : Math.Log(w) * u / (w - 1);
    }

    /// <summary>The values of a tensor as doubles on the host, outside the autograd graph.</summary>
    internal static double[] ToDoubles(Tensor values)
    {
        ArgumentNullException.ThrowIfNull(values);
        using Tensor detached = values.Detach();
        using Tensor wide = detached.To(ScalarType.Float64);
        return wide.ToArray<double>();
    }
}

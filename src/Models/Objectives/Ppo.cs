using ActorRL.Models.Tensors;

namespace ActorRL.Models.Objectives;

/// <summary>
/// PPO at the token level (OBJECTIVES.md, "PPO"): the clipped surrogate actor loss, the clipped value loss and the
/// entropy bonus. Tensor versions train (gradients flow through the new log-probabilities, values and entropies); the
/// double versions compute one token, for checking.
/// </summary>
public static class Ppo
{
    /// <summary>ρ_t = exp(log π_θ(y_t) − log π_old(y_t)), elementwise.</summary>
    public static Tensor Ratio(Tensor logProbs, Tensor oldLogProbs) => (logProbs - oldLogProbs).Exp();

    /// <summary>
    /// ℓ_t = −min(ρ_t A_t, clip(ρ_t, 1 − ε, 1 + ε) A_t) elementwise (masked positions are not zeroed: reduce with
    /// <see cref="MaskedMean"/>). Where the clipped term is the smaller, ℓ_t is constant in log π_θ: the update stops
    /// pushing a token whose probability has already moved by more than ε in the advantage's direction.
    /// </summary>
    /// <param name="logProbs">log π_θ(y_t), with gradient.</param>
    /// <param name="oldLogProbs">log π_old(y_t).</param>
    /// <param name="advantages">A_t.</param>
    /// <param name="clipEpsilon">ε in (0, 1).</param>
    public static Tensor ActorLossPerToken(Tensor logProbs, Tensor oldLogProbs, Tensor advantages, double clipEpsilon)
    {
        CheckClip(clipEpsilon);
        Tensor ratio = Ratio(logProbs, oldLogProbs);
        Tensor unclipped = ratio * advantages;
        Tensor clipped = ratio.Clamp(1 - clipEpsilon, 1 + clipEpsilon) * advantages;
        return -unclipped.Minimum(clipped);
    }

    /// <summary>The actor loss: <see cref="ActorLossPerToken(Tensor, Tensor, Tensor, double)"/> reduced over the response tokens.</summary>
    public static Tensor ActorLoss(Tensor logProbs, Tensor oldLogProbs, Tensor advantages, Tensor mask, double clipEpsilon, MaskedNormalizer? normalizer = null) =>
        MaskedMean.Reduce(ActorLossPerToken(logProbs, oldLogProbs, advantages, clipEpsilon), mask, normalizer ?? MaskedNormalizer.For(mask));

    /// <summary>
    /// 0.5 · max((V − G)², (V_clip − G)²) elementwise, V_clip = V_old + clip(V − V_old, −c_v, c_v): the critic may not
    /// gain from moving further than c_v from its rollout-time value in one update.
    /// </summary>
    /// <param name="values">V, with gradient.</param>
    /// <param name="oldValues">V_old.</param>
    /// <param name="returns">G.</param>
    /// <param name="valueClip">c_v ≥ 0.</param>
    public static Tensor ValueLossPerToken(Tensor values, Tensor oldValues, Tensor returns, double valueClip)
    {
        CheckValueClip(valueClip);
        Tensor clippedValues = oldValues + (values - oldValues).Clamp(-valueClip, valueClip);
        return 0.5 * (values - returns).Square().Maximum((clippedValues - returns).Square());
    }

    /// <summary>The value loss: <see cref="ValueLossPerToken(Tensor, Tensor, Tensor, double)"/> reduced over the response tokens.</summary>
    public static Tensor ValueLoss(Tensor values, Tensor oldValues, Tensor returns, Tensor mask, double valueClip, MaskedNormalizer? normalizer = null) =>
        MaskedMean.Reduce(ValueLossPerToken(values, oldValues, returns, valueClip), mask, normalizer ?? MaskedNormalizer.For(mask));

    /// <summary>
    /// The PPO loss of a (micro-)batch: actor + <see cref="PpoOptions.ValueCoefficient"/> · value −
    /// <see cref="PpoOptions.EntropyCoefficient"/> · entropy, every term reduced with <paramref name="normalizer"/>.
    /// </summary>
    /// <param name="logProbs">log π_θ(y_t) [B, T] from the policy being trained.</param>
    /// <param name="values">V(t) [B, T] from the critic being trained.</param>
    /// <param name="entropies">The policy's entropy at each token [B, T] (see <c>Scoring</c>), or null for no bonus.</param>
    /// <param name="batch">The rollout side: old log-probs, advantages, old values, returns and the response mask.</param>
    /// <param name="options">The clip ranges ε and c_v and the weights of the value loss and the entropy bonus.</param>
    /// <param name="normalizer">
    /// The reduction and the whole batch's count. Null means OBJECTIVES.md's convention (sequence means, then the mean over
    /// sequences) counted over this batch, which is right when this batch is the whole batch. For gradient accumulation
    /// over micro-batches pass <see cref="MaskedNormalizer.For(ReadOnlySpan{Tensor}, MaskedReduction)"/> of the whole batch:
    /// the micro-batch losses, and their gradients, then sum exactly to the full batch's.
    /// </param>
    public static PpoLoss Loss(Tensor logProbs, Tensor values, Tensor? entropies, PpoBatch batch, PpoOptions options, MaskedNormalizer? normalizer = null)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(options);
        normalizer ??= MaskedNormalizer.For(batch.Mask);
        Tensor actor = ActorLoss(logProbs, batch.OldLogProbs, batch.Advantages, batch.Mask, options.ClipEpsilon, normalizer);
        Tensor value = ValueLoss(values, batch.OldValues, batch.Returns, batch.Mask, options.ValueClip, normalizer);
        Tensor total = actor + options.ValueCoefficient * value;
        Tensor? entropy = null;
        if (entropies is not null)
        {
            entropy = MaskedMean.Reduce(entropies, batch.Mask, normalizer);
            total -= options.EntropyCoefficient * entropy;
        }
        return new PpoLoss(total, actor, value, entropy, Diagnose(logProbs, values, batch, options));
    }

    /// <summary>Clip fractions, approximate KL and mean ratio over this batch's response tokens (see <see cref="PpoDiagnostics"/>).</summary>
    public static PpoDiagnostics Diagnose(Tensor logProbs, Tensor values, PpoBatch batch, PpoOptions options)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(options);
        using var scope = new DisposeScope();
        using var noGrad = NoGradScope.Enter();
        Tensor logRatio = logProbs.Detach() - batch.OldLogProbs;
        Tensor ratio = logRatio.Exp();
        Tensor clipped = -(ratio.Clamp(1 - options.ClipEpsilon, 1 + options.ClipEpsilon) * batch.Advantages);
        Tensor actorClipped = clipped.Gt(-(ratio * batch.Advantages)).To(ratio.DType);
        Tensor v = values.Detach();
        Tensor clippedValues = batch.OldValues + (v - batch.OldValues).Clamp(-options.ValueClip, options.ValueClip);
        Tensor valueClipped = (clippedValues - batch.Returns).Square().Gt((v - batch.Returns).Square()).To(ratio.DType);
        Tensor means = Torch.Stack([
            MaskedMean.Of(actorClipped, batch.Mask),
            MaskedMean.Of(ratio - 1 - logRatio, batch.Mask),
            MaskedMean.Of(ratio, batch.Mask),
            MaskedMean.Of(valueClipped, batch.Mask),
            MaskedMean.Selected(batch.Mask).To(ratio.DType).Sum(),
        ]);
        // One copy to the host, so that a GPU synchronizes once per call.
        double[] m = means.To(ScalarType.Float64).ToArray<double>();
        return new PpoDiagnostics(ClipFraction: m[0], ApproxKl: m[1], MeanRatio: m[2], ValueClipFraction: m[3], Tokens: m[4]);
    }

    /// <summary>ρ of one token.</summary>
    public static double Ratio(double logProb, double oldLogProb) => Math.Exp(logProb - oldLogProb);

    /// <summary>ℓ_t of one token.</summary>
    public static double ActorLossPerToken(double logProb, double oldLogProb, double advantage, double clipEpsilon)
    {
        CheckClip(clipEpsilon);
        double ratio = Ratio(logProb, oldLogProb);
        return -Math.Min(ratio * advantage, Math.Clamp(ratio, 1 - clipEpsilon, 1 + clipEpsilon) * advantage);
    }

    /// <summary>The value loss of one token, 0.5 · max((V − G)², (V_clip − G)²).</summary>
    public static double ValueLossPerToken(double value, double oldValue, double ret, double valueClip)
    {
        CheckValueClip(valueClip);
        double clippedValue = oldValue + Math.Clamp(value - oldValue, -valueClip, valueClip);
        return 0.5 * Math.Max((value - ret) * (value - ret), (clippedValue - ret) * (clippedValue - ret));
    }

    private static void CheckClip(double clipEpsilon)
    {
        if (!(clipEpsilon > 0 && clipEpsilon < 1)) throw new ArgumentOutOfRangeException(nameof(clipEpsilon), clipEpsilon, "ε must be in (0, 1)");
    }

    private static void CheckValueClip(double valueClip)
    {
        if (!(valueClip >= 0) || double.IsInfinity(valueClip)) throw new ArgumentOutOfRangeException(nameof(valueClip), valueClip, "c_v must be >= 0");
    }
}

using ActorRL.Models.Tensors;

namespace ActorRL.Models.Objectives;

/// <summary>
/// DRTO steps 2–3 on tensors (OBJECTIVES.md, "DRTO"): average the PPO per-token actor losses ℓ_t over each span,
/// ℓ_k = mean_{t ∈ k} ℓ_t, weigh the spans with the worst-case q of <see cref="DroWeights"/> (computed from the
/// detached ℓ_k), and train on Σ_k q_k ℓ_k. The critic's loss is not touched.
/// </summary>
/// <remarks>
/// <para>The per-token losses come in as a tensor, whatever computed them (PPO's clipped surrogate for DRTO); tokens
/// outside every span (span id −1: prompt, padding) are ignored, even when their loss is NaN.</para>
/// <para>q is a distribution over the n spans passed in. <see cref="Loss(Tensor, Tensor, int, DroSet, double)"/> solves it
/// over exactly those spans: call it on the whole minibatch. With gradient accumulation over micro-batches, solving per
/// micro-batch would weigh against a smaller, different set of spans; to weigh the minibatch as one, compute every
/// micro-batch's span losses first without gradients (the policy does not change until the optimizer steps, so they are
/// the same values), solve <see cref="DroWeights.Solve"/> once over all of them, then per micro-batch backpropagate
/// <see cref="WeightedLoss"/> of its spans' losses with its slice of q; the micro-batch losses then sum (not average)
/// to the minibatch loss.</para>
/// </remarks>
public static class SpanReweighting
{
    /// <summary>ℓ_k = mean of <paramref name="tokenLosses"/> over the tokens whose span id is k; differentiable.</summary>
    /// <param name="tokenLosses">Per-token losses ℓ_t, floating point, any shape (typically [B, T]).</param>
    /// <param name="spanIds">Int64 span id per token, same shape, −1 outside every span (<see cref="SpanIds.ToTensor"/>).</param>
    /// <param name="spanCount">n: every id in 0 .. n − 1 must cover at least one token.</param>
    /// <returns>[n] span losses in the dtype and on the device of <paramref name="tokenLosses"/>.</returns>
    /// <exception cref="ArgumentException">Shapes differ, ids are not Int64, an id is ≥ n, or a span has no token.</exception>
    public static Tensor SpanLosses(Tensor tokenLosses, Tensor spanIds, int spanCount)
    {
        ArgumentNullException.ThrowIfNull(tokenLosses);
        ArgumentNullException.ThrowIfNull(spanIds);
        ArgumentOutOfRangeException.ThrowIfLessThan(spanCount, 1);
        if (!tokenLosses.DType.IsFloatingPoint())
        {
            throw new ArgumentException($"token losses must be floating point, not {tokenLosses.DType}", nameof(tokenLosses));
        }
        if (spanIds.DType != ScalarType.Int64) throw new ArgumentException($"span ids must be Int64, not {spanIds.DType}", nameof(spanIds));
        if (!spanIds.Shape.SequenceEqual(tokenLosses.Shape))
        {
            throw new ArgumentException(
                $"span ids are [{string.Join(", ", spanIds.Shape)}], token losses [{string.Join(", ", tokenLosses.Shape)}]", nameof(spanIds));
        }

        if (tokenLosses.NumberOfElements == 0) throw new ArgumentException("no token losses", nameof(tokenLosses));

        using var scope = new DisposeScope();
        ScalarType dtype = tokenLosses.DType;
        Device device = tokenLosses.Device;
        var ids = spanIds.To(device).Reshape(-1);
        long largest = ids.Max().ToInt64();
        if (largest >= spanCount) throw new ArgumentException($"span id {largest} is not below the span count {spanCount}", nameof(spanIds));

        var inSpan = ids.Ge(0);
        // Tokens outside every span add 0 to span 0: masked_fill (not a multiply) so that a NaN there cannot leak in.
        var index = ids.Clamp(min: 0);
        var values = tokenLosses.Reshape(-1).MaskedFill(inSpan.LogicalNot(), 0);
        var sums = Torch.Zeros([spanCount], dtype, device).ScatterAdd(0, index, values);
        var counts = Torch.Zeros([spanCount], dtype, device).ScatterAdd(0, index, inSpan.To(dtype));
        if (counts.Min().ToDouble() == 0)
        {
            long empty = counts.Eq(0).To(ScalarType.Int64).Argmax(0).ToInt64();
            throw new ArgumentException($"span {empty} of {spanCount} covers no token", nameof(spanIds));
        }
        return scope.MoveToOuter(sums / counts);
    }

    /// <summary>Σ_k q_k ℓ_k with the weights q as constants: the gradient reaches ℓ_k scaled by q_k and nothing reaches q.</summary>
    /// <param name="spanLosses">ℓ_k, [n].</param>
    /// <param name="weights">q_k, n of them (a minibatch's q, or a micro-batch's slice of it).</param>
    /// <exception cref="ArgumentException">The counts differ.</exception>
    public static Tensor WeightedLoss(Tensor spanLosses, ReadOnlySpan<double> weights)
    {
        ArgumentNullException.ThrowIfNull(spanLosses);
        if (spanLosses.NumberOfElements != weights.Length)
        {
            throw new ArgumentException($"{weights.Length} weights for {spanLosses.NumberOfElements} span losses", nameof(weights));
        }
        using var scope = new DisposeScope();
        var q = Torch.From(weights, spanLosses.Device).To(spanLosses.DType);
        return scope.MoveToOuter((spanLosses.Reshape(-1) * q).Sum());
    }

    /// <summary>
    /// The DRTO actor loss over the spans passed in: span losses, q = <see cref="DroWeights.Solve"/> of their detached
    /// values, and Σ_k q_k ℓ_k.
    /// </summary>
    /// <param name="tokenLosses">Per-token actor losses ℓ_t with their graph, typically [B, T].</param>
    /// <param name="spanIds">Int64 span ids, same shape, −1 outside every span.</param>
    /// <param name="spanCount">n.</param>
    /// <param name="set">The uncertainty set.</param>
    /// <param name="size">ρ, τ or α as for <see cref="DroWeights.Compute"/>.</param>
    /// <exception cref="ArgumentException">As <see cref="SpanLosses"/> and <see cref="DroWeights.Solve"/> (a span loss
    /// that is NaN or infinite, a size out of range).</exception>
    public static SpanReweightedLoss Loss(Tensor tokenLosses, Tensor spanIds, int spanCount, DroSet set, double size)
    {
        using var scope = new DisposeScope();
        var spanLosses = SpanLosses(tokenLosses, spanIds, spanCount);
        double[] detached = spanLosses.Detach().To(ScalarType.Float64).ToArray<double>();
        DroSolution solution = DroWeights.Solve(detached, set, size);
        var loss = WeightedLoss(spanLosses, solution.Weights);
        return new SpanReweightedLoss(scope.MoveToOuter(loss), scope.MoveToOuter(spanLosses), solution);
    }

    /// <summary>The DRTO actor loss with the set and size of <paramref name="options"/>.</summary>
    /// <param name="tokenLosses">Per-token actor losses ℓ_t with their graph, [B, T].</param>
    /// <param name="spans">The batch's spans (<see cref="Spans.Assign(Tensor, Tensor, DrtoOptions)"/>).</param>
    /// <param name="options">Set and size.</param>
    public static SpanReweightedLoss Loss(Tensor tokenLosses, SpanIds spans, DrtoOptions options)
    {
        ArgumentNullException.ThrowIfNull(tokenLosses);
        ArgumentNullException.ThrowIfNull(spans);
        ArgumentNullException.ThrowIfNull(options);
        using var scope = new DisposeScope();
        var ids = spans.ToTensor(tokenLosses.Device);
        SpanReweightedLoss result = Loss(tokenLosses, ids, spans.Count, options.Set, options.Size);
        scope.MoveToOuter(result.Loss);
        scope.MoveToOuter(result.SpanLosses);
        return result;
    }
}

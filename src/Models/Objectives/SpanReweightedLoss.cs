using ActorRL.Models.Tensors;

namespace ActorRL.Models.Objectives;

/// <summary>The DRTO actor loss of one minibatch and what produced it (<see cref="SpanReweighting.Loss(Tensor, Tensor, int, DroSet, double)"/>).</summary>
/// <param name="Loss">Σ_k q_k ℓ_k, a scalar; the gradient flows through the span losses ℓ_k only (q is constant).</param>
/// <param name="SpanLosses">ℓ_k, [n]: the mean per-token loss of each span, still attached to the graph.</param>
/// <param name="Solution">q and the diagnostics DRTO reports: temperature or threshold, max weight, effective sample size,
/// span-loss spread.</param>
public sealed record SpanReweightedLoss(Tensor Loss, Tensor SpanLosses, DroSolution Solution);

using ActorRL.Models.Tensors;

namespace ActorRL.Models.Objectives;

/// <summary>The terms of a PPO loss, each already reduced with the batch's <see cref="MaskedNormalizer"/>.</summary>
/// <param name="Total">Actor + ValueCoefficient · Value − EntropyCoefficient · Entropy: the scalar to call <c>Backward</c> on.</param>
/// <param name="Actor">The clipped surrogate loss.</param>
/// <param name="Value">The clipped value loss, 0.5 · max((V − G)², (V_clip − G)²) reduced.</param>
/// <param name="Entropy">The mean entropy (the bonus subtracts it), or null when no entropies were given.</param>
/// <param name="Diagnostics">What to log about this (micro-)batch.</param>
public sealed record PpoLoss(Tensor Total, Tensor Actor, Tensor Value, Tensor? Entropy, PpoDiagnostics Diagnostics);

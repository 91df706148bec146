namespace ActorRL.Models.Rlhf;

/// <summary>
/// An update met a loss or gradient norm that is NaN or infinite. The learner refuses to step on it and goes back to
/// its state before the update (<see cref="PolicyLearner.Version"/> unchanged), so the published policy is never
/// corrupted by it.
/// </summary>
public sealed class NonFiniteUpdateException(string message) : Exception(message);

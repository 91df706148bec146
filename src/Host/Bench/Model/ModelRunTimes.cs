namespace ActorRL.Host.Bench.Model;

/// <summary>What one run of one implementation measured.</summary>
/// <param name="TrainMs">Milliseconds of each timed training step.</param>
/// <param name="FirstLoss">The loss of the run's first training step (from the saved weights).</param>
/// <param name="GenerateMs">Milliseconds of each timed generation with the KV cache.</param>
/// <param name="FirstTokens">The first prompt's greedy tokens from the run's first generation.</param>
/// <param name="FirstLogProbs">Their log-probabilities under the model.</param>
/// <param name="NoCacheMs">Milliseconds of each timed generation without the KV cache (C# only; often none).</param>
/// <param name="NoCacheFirstTokens">The first prompt's tokens from the first generation without the cache, or null.</param>
public sealed record ModelRunTimes(
    IReadOnlyList<double> TrainMs,
    double FirstLoss,
    IReadOnlyList<double> GenerateMs,
    IReadOnlyList<int> FirstTokens,
    IReadOnlyList<float> FirstLogProbs,
    IReadOnlyList<double> NoCacheMs,
    IReadOnlyList<int>? NoCacheFirstTokens);

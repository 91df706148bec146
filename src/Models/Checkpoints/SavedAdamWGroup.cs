using ActorRL.Models.Tensors;

namespace ActorRL.Models.Checkpoints;

/// <summary>One AdamW parameter group as a checkpoint saved it: its hyperparameters (the learning rate
/// as the scheduler had set it) and, per parameter in the optimizer's order, its name and state.</summary>
/// <param name="LearningRate">The group's learning rate when it was saved.</param>
/// <param name="Beta1">Decay of the first moment.</param>
/// <param name="Beta2">Decay of the second moment.</param>
/// <param name="Eps">Denominator term.</param>
/// <param name="WeightDecay">Decoupled weight decay.</param>
/// <param name="ParameterNames">The parameters' names, in the optimizer's order.</param>
/// <param name="States">Each parameter's step count and moments (host tensors owned by the
/// <see cref="LoadedCheckpoint"/>; null moments for a parameter that had never been updated).</param>
public sealed record SavedAdamWGroup(
    double LearningRate,
    double Beta1,
    double Beta2,
    double Eps,
    double WeightDecay,
    IReadOnlyList<string> ParameterNames,
    IReadOnlyList<AdamWParamState> States);

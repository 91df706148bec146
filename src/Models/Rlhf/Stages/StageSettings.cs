using ActorRL.Models.Training;

namespace ActorRL.Models.Rlhf.Stages;

/// <summary>Supervised fine-tuning on the task's demonstrations; 0 steps skips it (the policy stays at initialization).</summary>
/// <param name="Steps">Optimizer steps.</param>
/// <param name="Examples">Demonstrations generated.</param>
/// <param name="Options">Batch sizes, schedule, weight decay, clipping.</param>
public sealed record SftStageSettings(int Steps, int Examples, SftOptions Options);

/// <summary>Reward-model training on the task's labelled sequences; 0 steps skips it.</summary>
/// <param name="Steps">Optimizer steps.</param>
/// <param name="Examples">Labelled sequences generated.</param>
/// <param name="BatchSize">Sequences per step.</param>
/// <param name="Lr">Learning rate.</param>
public sealed record RewardModelStageSettings(int Steps, int Examples, int BatchSize, double Lr)
{
    /// <summary>Decoupled weight decay of weight matrices (biases and norms never decay).</summary>
    public double WeightDecay { get; init; }

    /// <summary>Global gradient-norm limit; 0 turns clipping off.</summary>
    public double GradClip { get; init; } = 1.0;
}

/// <summary>DPO from the SFT model on the task's preference pairs (the π_dpo of RTO and DRTO); 0 steps skips it.</summary>
/// <param name="Steps">Optimizer steps.</param>
/// <param name="Pairs">Preference pairs generated.</param>
/// <param name="LabelNoise">Probability of a flipped label.</param>
/// <param name="BatchSize">Pairs per step.</param>
/// <param name="Lr">Learning rate.</param>
/// <param name="Beta">β of the implicit reward.</param>
public sealed record DpoStageSettings(int Steps, int Pairs, double LabelNoise, int BatchSize, double Lr, double Beta)
{
    /// <summary>Decoupled weight decay of weight matrices (biases and norms never decay).</summary>
    public double WeightDecay { get; init; }

    /// <summary>Global gradient-norm limit; 0 turns clipping off.</summary>
    public double GradClip { get; init; } = 1.0;
}

/// <summary>Progress of a stage, reported every step.</summary>
/// <param name="Stage">The stage (<c>sft</c>, <c>reward_model</c>, <c>dpo</c>).</param>
/// <param name="Step">Steps done.</param>
/// <param name="Steps">Steps in all.</param>
/// <param name="Metrics">Figures of the step (loss, lr, accuracy, …) in snake_case.</param>
public sealed record StageProgress(string Stage, long Step, long Steps, IReadOnlyDictionary<string, double> Metrics);

/// <summary>A stage's outcome.</summary>
/// <param name="Stage">The stage.</param>
/// <param name="CheckpointDir">The verified checkpoint holding its model.</param>
/// <param name="Reused">Whether an earlier run's checkpoint with the same settings was reused instead of training.</param>
/// <param name="Duration">Wall time spent (verification only, when reused).</param>
public sealed record StageResult(string Stage, string CheckpointDir, bool Reused, TimeSpan Duration);

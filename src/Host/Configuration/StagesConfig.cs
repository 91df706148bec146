using ActorRL.Host.Hosting;
using ActorRL.Models.Training;

namespace ActorRL.Host.Configuration;

/// <summary>Section <c>stages</c>: the training stages before RL. A stage with <c>steps</c> 0 is skipped.</summary>
public sealed record StagesConfig
{
    /// <summary>Supervised fine-tuning on demonstrations (<c>stages.sft</c>).</summary>
    public SftStageConfig Sft { get; init; } = new();

    /// <summary>The reward model trained on labelled examples (<c>stages.reward_model</c>).</summary>
    public RewardModelStageConfig RewardModel { get; init; } = new();

    /// <summary>The DPO model whose log-ratios are RTO's and DRTO's token rewards (<c>stages.dpo</c>).</summary>
    public DpoStageConfig Dpo { get; init; } = new();

    /// <summary>Throws <see cref="InvalidConfigurationException"/> naming the first invalid key.</summary>
    public void Validate()
    {
        Sft.Validate();
        RewardModel.Validate();
        Dpo.Validate();
    }
}

/// <summary>Section <c>stages.sft</c>.</summary>
public sealed record SftStageConfig
{
    /// <summary>Optimizer steps.</summary>
    public int Steps { get; init; } = 300;

    /// <summary>Examples per optimizer step.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Examples per forward/backward pass; must divide <see cref="BatchSize"/>.</summary>
    public int MicroBatchSize { get; init; } = 32;

    /// <summary>Peak learning rate.</summary>
    public double Lr { get; init; } = 1e-3;

    /// <summary>Learning rate at the end of the cosine decay.</summary>
    public double MinLr { get; init; } = 1e-4;

    /// <summary>Steps of linear warm-up.</summary>
    public int WarmupSteps { get; init; } = 20;

    /// <summary>Decoupled weight decay of weight matrices.</summary>
    public double WeightDecay { get; init; } = 0.1;

    /// <summary>Global gradient-norm limit; 0 turns clipping off.</summary>
    public double GradClip { get; init; } = 1.0;

    /// <summary>The trainer's options.</summary>
    public SftOptions ToSftOptions() => new()
    {
        BatchSize = BatchSize,
        MicroBatchSize = MicroBatchSize,
        Schedule = new WarmupCosineSchedule(Lr, MinLr, WarmupSteps, Math.Max(Steps, 1)),
        WeightDecay = WeightDecay,
        GradClip = GradClip,
    };

    /// <summary>Throws <see cref="InvalidConfigurationException"/> naming the first invalid key.</summary>
    public void Validate()
    {
        ConfigCheck.AtLeast(Steps, 0, "stages.sft.steps");
        ConfigCheck.AtLeast(BatchSize, 1, "stages.sft.batch_size");
        ConfigCheck.AtLeast(MicroBatchSize, 1, "stages.sft.micro_batch_size");
        if (BatchSize % MicroBatchSize != 0)
        {
            throw new InvalidConfigurationException("stages.sft.micro_batch_size", $"must divide stages.sft.batch_size ({BatchSize}), not {MicroBatchSize}");
        }
        ConfigCheck.Positive(Lr, "stages.sft.lr");
        ConfigCheck.InRange(MinLr, 0, Lr, "stages.sft.min_lr");
        ConfigCheck.InRange(WarmupSteps, 0, Math.Max(Steps, 1), "stages.sft.warmup_steps");
        ConfigCheck.InRange(WeightDecay, 0, 1, "stages.sft.weight_decay");
        ConfigCheck.InRange(GradClip, 0, double.MaxValue, "stages.sft.grad_clip");
    }
}

/// <summary>Section <c>stages.reward_model</c>.</summary>
public sealed record RewardModelStageConfig
{
    /// <summary>Optimizer steps; 0 when the task has a verifier and no objective needs a learned reward.</summary>
    public int Steps { get; init; } = 200;

    /// <summary>Examples per optimizer step.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Learning rate.</summary>
    public double Lr { get; init; } = 5e-4;

    /// <summary>Throws <see cref="InvalidConfigurationException"/> naming the first invalid key.</summary>
    public void Validate()
    {
        ConfigCheck.AtLeast(Steps, 0, "stages.reward_model.steps");
        ConfigCheck.AtLeast(BatchSize, 1, "stages.reward_model.batch_size");
        ConfigCheck.Positive(Lr, "stages.reward_model.lr");
    }
}

/// <summary>Section <c>stages.dpo</c>.</summary>
public sealed record DpoStageConfig
{
    /// <summary>Optimizer steps; RTO and DRTO need at least one.</summary>
    public int Steps { get; init; } = 100;

    /// <summary>Preference pairs per optimizer step.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Learning rate.</summary>
    public double Lr { get; init; } = 1e-4;

    /// <summary>β of the implicit reward.</summary>
    public double Beta { get; init; } = 0.1;

    /// <summary>Throws <see cref="InvalidConfigurationException"/> naming the first invalid key.</summary>
    public void Validate()
    {
        ConfigCheck.AtLeast(Steps, 0, "stages.dpo.steps");
        ConfigCheck.AtLeast(BatchSize, 1, "stages.dpo.batch_size");
        ConfigCheck.Positive(Lr, "stages.dpo.lr");
        ConfigCheck.Positive(Beta, "stages.dpo.beta");
    }
}

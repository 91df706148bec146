using ActorRL.Actors.Rlhf;
using ActorRL.Host.Hosting;
using ActorRL.Models.Inference;

namespace ActorRL.Host.Configuration;

/// <summary>Section <c>rl</c>: the RL stage's loop (for <c>dpo</c> and <c>ropo</c>, the preference-optimization loop).</summary>
public sealed record RlConfig
{
    /// <summary>Learner steps.</summary>
    public int Steps { get; init; } = 40;

    /// <summary>Prompts per learner step.</summary>
    public int PromptsPerStep { get; init; } = 8;

    /// <summary>Completions sampled per prompt.</summary>
    public int SamplesPerPrompt { get; init; } = 4;

    /// <summary><c>sync</c> or <c>async</c>.</summary>
    public RolloutSchedule Schedule { get; init; } = RolloutSchedule.Sync;

    /// <summary>k: most weight versions a sample may lag behind the learner; at least 1 with <c>async</c>.</summary>
    public int Staleness { get; init; } = 1;

    /// <summary>Rollout worker actors.</summary>
    public int RolloutWorkers { get; init; } = 1;

    /// <summary>Learning rate of the policy.</summary>
    public double Lr { get; init; } = 1e-4;

    /// <summary>Optimization passes over each step's samples.</summary>
    public int UpdateEpochs { get; init; } = 1;

    /// <summary>Sampling of rollouts (<c>rl.generation</c>).</summary>
    public GenerationConfig Generation { get; init; } = new();

    /// <summary>Throws <see cref="InvalidConfigurationException"/> naming the first invalid key.</summary>
    public void Validate()
    {
        ConfigCheck.AtLeast(Steps, 0, "rl.steps");
        ConfigCheck.AtLeast(PromptsPerStep, 1, "rl.prompts_per_step");
        ConfigCheck.AtLeast(SamplesPerPrompt, 1, "rl.samples_per_prompt");
        ConfigCheck.AtLeast(Staleness, Schedule == RolloutSchedule.Async ? 1 : 0, "rl.staleness");
        ConfigCheck.AtLeast(RolloutWorkers, 1, "rl.rollout_workers");
        ConfigCheck.Positive(Lr, "rl.lr");
        ConfigCheck.AtLeast(UpdateEpochs, 1, "rl.update_epochs");
        Generation.Validate("rl.generation");
    }
}

/// <summary>Sampling settings (<c>rl.generation</c>, <c>eval.generation</c>).</summary>
public sealed record GenerationConfig
{
    /// <summary>Most tokens generated after the prompt.</summary>
    public int MaxNewTokens { get; init; } = 48;

    /// <summary>Softmax temperature; 0 is greedy.</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>Keep only the k most likely tokens; 0 keeps all.</summary>
    public int TopK { get; init; }

    /// <summary>Nucleus sampling mass, in (0, 1].</summary>
    public double TopP { get; init; } = 1.0;

    /// <summary>The generator's options.</summary>
    public GenerationOptions ToGenerationOptions() =>
        new() { MaxNewTokens = MaxNewTokens, Temperature = Temperature, TopK = TopK, TopP = TopP };

    /// <summary>Throws <see cref="InvalidConfigurationException"/> naming the first invalid key under <paramref name="path"/>.</summary>
    public void Validate(string path)
    {
        ConfigCheck.AtLeast(MaxNewTokens, 1, $"{path}.max_new_tokens");
        ConfigCheck.InRange(Temperature, 0, double.MaxValue, $"{path}.temperature");
        ConfigCheck.AtLeast(TopK, 0, $"{path}.top_k");
        if (!(TopP > 0 && TopP <= 1)) throw new InvalidConfigurationException($"{path}.top_p", $"must be in (0, 1], not {TopP}");
    }
}

using ActorRL.Host.Hosting;
using ActorRL.Models.Objectives;

namespace ActorRL.Host.Configuration;

/// <summary>
/// Everything <c>actorrl train</c> runs: the task, the model, the stages SFT → reward model → DPO, the RL loop with
/// one objective, the evaluation and libtorch's settings. Loaded and validated by <see cref="TrainConfigLoader"/>.
/// </summary>
public sealed record TrainConfig
{
    /// <summary>The top-level sections, as written in the file.</summary>
    public static readonly IReadOnlyList<string> Sections = ["run", "task", "model", "stages", "rl", ObjectiveConfig.Section, "eval", TorchOptions.Section, "cluster"];

    /// <summary>Section <c>run</c>.</summary>
    public RunConfig Run { get; init; } = new();

    /// <summary>Section <c>task</c>.</summary>
    public TaskConfig Task { get; init; } = new();

    /// <summary>Section <c>model</c>.</summary>
    public ModelConfig Model { get; init; } = new();

    /// <summary>Section <c>stages</c>.</summary>
    public StagesConfig Stages { get; init; } = new();

    /// <summary>Section <c>rl</c>.</summary>
    public RlConfig Rl { get; init; } = new();

    /// <summary>Section <c>objective</c>.</summary>
    public ObjectiveConfig Objective { get; init; } = new("drto", ObjectiveRegistry.Defaults("drto"));

    /// <summary>Section <c>eval</c>.</summary>
    public EvalConfig Eval { get; init; } = new();

    /// <summary>Section <c>torch</c>.</summary>
    public TorchOptions Torch { get; init; } = new();

    /// <summary>Section <c>cluster</c> (not part of what the run computes: it says where, not what).</summary>
    public ClusterConfig Cluster { get; init; } = new();

    /// <summary>Throws <see cref="InvalidConfigurationException"/> naming the first invalid key.</summary>
    public void Validate()
    {
        Run.Validate();
        Task.Validate();
        Model.Validate(Task.TokenizerVocabSize);
        Stages.Validate();
        Rl.Validate();
        Objective.Options.Validate();
        Eval.Validate();
        Cluster.Validate();
        if (Objective.Name is "rto" or "drto" && Stages.Dpo.Steps == 0)
        {
            throw new InvalidConfigurationException("stages.dpo.steps", $"must be at least 1 with objective {Objective.Name}: its token rewards come from the DPO model");
        }
    }
}

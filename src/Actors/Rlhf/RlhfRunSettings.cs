using ActorRL.Models.Inference;
using ActorRL.Models.Nn;
using ActorRL.Models.Objectives;
using ActorRL.Models.Rlhf.Stages;

namespace ActorRL.Actors.Rlhf;

/// <summary>How rollouts and learner updates interleave.</summary>
public enum RolloutSchedule
{
    /// <summary>Generate, then train, then publish weights: samples are always on-policy.</summary>
    Sync,
    /// <summary>Rollout workers generate batch i+1 while the learner trains on batch i; samples more than k versions old are dropped.</summary>
    Async,
}

/// <summary>Everything a run needs, as plain values: each role builds its own models and task from them.</summary>
public sealed record RlhfRunSettings
{
    /// <summary>The run directory: stages, checkpoints, the run journal and everything else the roles write go under it. A
    /// run in a directory whose journal committed a checkpoint continues from it.</summary>
    public required string RunDir { get; init; }

    /// <summary>The task's config name (<c>arithmetic</c>, <c>reviews</c>, <c>preferences</c>).</summary>
    public required string Task { get; init; }

    /// <summary>Seed of data, initialization and sampling.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>The policy's size (reward model and DPO model share it).</summary>
    public required GptConfig Model { get; init; }

    /// <summary>The objective's registry name.</summary>
    public required string Objective { get; init; }

    /// <summary>The objective's options.</summary>
    public required IObjectiveOptions ObjectiveOptions { get; init; }

    /// <summary>The stages before RL.</summary>
    public required StageSettings Stages { get; init; }

    /// <summary>Learner steps of the RL (or preference-optimization) stage.</summary>
    public int Steps { get; init; } = 40;

    /// <summary>Prompts per step (pairs per step for preference objectives).</summary>
    public int PromptsPerStep { get; init; } = 8;

    /// <summary>Samples per prompt.</summary>
    public int SamplesPerPrompt { get; init; } = 4;

    /// <summary>Sync or async.</summary>
    public RolloutSchedule Schedule { get; init; } = RolloutSchedule.Sync;

    /// <summary>k: the most versions a sample may lag behind the learner (async).</summary>
    public int Staleness { get; init; } = 1;

    /// <summary>Rollout workers in the pool.</summary>
    public int RolloutWorkers { get; init; } = 1;

    /// <summary>Policy learning rate.</summary>
    public double Lr { get; init; } = 1e-4;

    /// <summary>Optimization passes over each step's batch.</summary>
    public int UpdateEpochs { get; init; } = 1;

    /// <summary>Rollout sampling.</summary>
    public required GenerationOptions Generation { get; init; }

    /// <summary>Preference pairs generated for DPO-style stages and objectives.</summary>
    public int PreferencePairs { get; init; } = 256;

    /// <summary>Probability of a flipped preference label.</summary>
    public double LabelNoise { get; init; }

    /// <summary>Evaluation before and after RL.</summary>
    public required EvalSettings Eval { get; init; }

    /// <summary>Write a checkpoint every this many RL steps (0: only at the end and on stop).</summary>
    public int CheckpointEvery { get; init; }

    /// <summary>How many of the newest step checkpoints to keep (older ones are deleted once a newer one is complete).</summary>
    public int KeepCheckpoints { get; init; } = 3;

    /// <summary>A step metric (e.g. <c>reward_mean</c>) whose best checkpoint is kept besides the newest ones, or empty.</summary>
    public string KeepBestMetric { get; init; } = "";

    /// <summary>Whether the largest (true) or the smallest value of <see cref="KeepBestMetric"/> is best.</summary>
    public bool KeepBestHigher { get; init; } = true;

    /// <summary>SHA-256 of the resolved configuration, recorded in the run journal.</summary>
    public string ConfigSha256 { get; init; } = "";

    /// <summary>Per-phase deadlines.</summary>
    public PhaseDeadlines Deadlines { get; init; } = new();

    /// <summary>Where every role's models live: <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>libtorch intra-op threads per role (0: libtorch's default).</summary>
    public int TorchThreads { get; init; }

    /// <summary>Faults to inject (tests and drills); none by default.</summary>
    public FaultPlan Faults { get; init; } = FaultPlan.None;
}

/// <summary>The pre-RL stages; a stage with 0 steps is skipped.</summary>
/// <param name="Sft">Supervised fine-tuning.</param>
/// <param name="RewardModel">Reward-model training.</param>
/// <param name="Dpo">The DPO model for RTO/DRTO.</param>
public sealed record StageSettings(SftStageSettings Sft, RewardModelStageSettings RewardModel, DpoStageSettings Dpo);

/// <summary>Evaluation settings.</summary>
/// <param name="Examples">Prompts per evaluation set; 0 skips the evaluations.</param>
/// <param name="Generation">Sampling during evaluation.</param>
public sealed record EvalSettings(int Examples, GenerationOptions Generation);

/// <summary>How long each phase may take before its role is named, restarted and its work re-sent.</summary>
public sealed record PhaseDeadlines
{
    /// <summary>Generation of one request by a rollout worker.</summary>
    public TimeSpan Generate { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Reference and reward scoring of one batch.</summary>
    public TimeSpan Score { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The objective's preparation of one batch.</summary>
    public TimeSpan Objective { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>One learner update, publication included.</summary>
    public TimeSpan Update { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>A whole pre-RL stage, or an evaluation.</summary>
    public TimeSpan Stage { get; init; } = TimeSpan.FromHours(4);
}

/// <summary>Faults injected into roles, for fault tests: each throws once when its step is reached.</summary>
/// <param name="RolloutAtStep">A rollout worker throws while generating for this step, or null.</param>
/// <param name="RewardAtStep">The reward role throws while scoring this step, or null.</param>
/// <param name="LearnerAtStep">The learner throws while training this step, or null.</param>
/// <param name="HangRole">A role (<c>rollout</c>, <c>reference</c>, <c>reward</c>, <c>objective</c>, <c>learner</c>) that stops answering once, or null.</param>
/// <param name="HangAtStep">The step at which <paramref name="HangRole"/> hangs.</param>
/// <param name="LearnerMidUpdateAtStep">The learner throws after the first optimizer step of this step's update, or null.</param>
public sealed record FaultPlan(
    long? RolloutAtStep = null, long? RewardAtStep = null, long? LearnerAtStep = null, string? HangRole = null, long HangAtStep = 0,
    long? LearnerMidUpdateAtStep = null)
{
    /// <summary>No faults.</summary>
    public static FaultPlan None { get; } = new();
}

using ActorRL.Models.Rlhf;
using ActorRL.Models.Rlhf.Stages;

namespace ActorRL.Actors.Rlhf;

/// <summary>Something a run reports while it runs; published on the actor system's event stream and to the run's observer.</summary>
public abstract record RlhfRunEvent;

/// <summary>A stage started.</summary>
/// <param name="Stage">sft, reward_model, dpo, rl, eval_before, eval_after.</param>
/// <param name="Steps">Steps it will take (0 when unknown).</param>
public sealed record StageStarted(string Stage, long Steps) : RlhfRunEvent;

/// <summary>A pre-RL stage made progress.</summary>
/// <param name="Progress">The stage's step and figures.</param>
public sealed record StageStepped(StageProgress Progress) : RlhfRunEvent;

/// <summary>A stage finished.</summary>
/// <param name="Result">Its checkpoint and whether it was reused.</param>
public sealed record StageFinished(StageResult Result) : RlhfRunEvent;

/// <summary>An RL (or preference) step completed: the learner updated and published.</summary>
/// <param name="Step">Steps done (1-based).</param>
/// <param name="Steps">Steps in all.</param>
/// <param name="PolicyVersion">The policy version published after it.</param>
/// <param name="Metrics">One line of metrics: rewards, KL, objective diagnostics, time per phase, tokens/s, idle fraction, restarts.</param>
public sealed record RlStepCompleted(long Step, long Steps, long PolicyVersion, IReadOnlyDictionary<string, double> Metrics) : RlhfRunEvent;

/// <summary>An evaluation finished.</summary>
/// <param name="Label"><c>before</c> (the SFT policy) or <c>after</c> (the RL policy).</param>
/// <param name="Figures">The task's figures.</param>
public sealed record EvaluationCompleted(string Label, IReadOnlyList<EvalFigure> Figures) : RlhfRunEvent;

/// <summary>A role missed its deadline, or failed and was restarted.</summary>
/// <param name="Role">The role's actor path.</param>
/// <param name="Reason">What happened.</param>
public sealed record RoleRestarted(string Role, string Reason) : RlhfRunEvent;

/// <summary>How a run ended.</summary>
/// <param name="StepsCompleted">RL steps completed.</param>
/// <param name="PolicyVersion">The last published policy version.</param>
/// <param name="CheckpointDir">The final checkpoint (policy, optimizer, RNG, step).</param>
/// <param name="Stages">The stages run or reused, in order.</param>
/// <param name="Before">Evaluation of the SFT policy.</param>
/// <param name="After">Evaluation of the final policy (empty when cancelled before the end).</param>
/// <param name="Restarts">Role restarts during the run.</param>
/// <param name="Cancelled">Whether the run stopped early on request (after checkpointing).</param>
public sealed record RlhfRunResult(
    long StepsCompleted, long PolicyVersion, string CheckpointDir, IReadOnlyList<StageResult> Stages,
    IReadOnlyList<EvalFigure> Before, IReadOnlyList<EvalFigure> After, int Restarts, bool Cancelled);

/// <summary>The sample ids a step trained on (each id at most once in a run).</summary>
/// <param name="Step">The step.</param>
/// <param name="SampleIds">Its samples.</param>
public sealed record SamplesTrained(long Step, IReadOnlyList<long> SampleIds) : RlhfRunEvent;

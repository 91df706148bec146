using ActorRL.Models.Inference;
using ActorRL.Models.Objectives;
using ActorRL.Models.Rlhf;
using ActorRL.Models.Rlhf.Stages;

namespace ActorRL.Actors.Rlhf;

// The messages between the roles of a run. Every one is an immutable record of plain values (ids, token arrays,
// numbers, raw tensor bytes, directory paths) so that it can cross the wire unchanged when roles live on other nodes.
// A request carries the coordinator's RequestId, which its reply repeats: replies to requests the coordinator gave up on
// (a role replaced after missing its deadline answers late) are recognised and dropped.

/// <summary>A request from the coordinator to a role.</summary>
public abstract record RoleRequest(long RequestId, long Step);

/// <summary>A role's answer to a <see cref="RoleRequest"/>.</summary>
public abstract record RoleReply(long RequestId);

/// <summary>The role failed on the request; supervision restarts it and the coordinator re-sends.</summary>
/// <param name="RequestId">The request.</param>
/// <param name="Role">The role's path.</param>
/// <param name="Error">What went wrong.</param>
/// <param name="Permanent">The same request would fail the same way again (an update whose loss is not finite): the run
/// ends with the error instead of re-sending it.</param>
public sealed record RoleFailed(long RequestId, string Role, string Error, bool Permanent = false) : RoleReply(RequestId);

/// <summary>Generate completions for prompts with weights of at least <paramref name="MinVersion"/>.</summary>
public sealed record RolloutRequested(long RequestId, long Step, IReadOnlyList<RolloutPrompt> Prompts, GenerationOptions Options, long MinVersion)
    : RoleRequest(RequestId, Step);

/// <summary>The completions of a <see cref="RolloutRequested"/>.</summary>
public sealed record RolloutsGenerated(long RequestId, IReadOnlyList<Rollout> Rollouts, TimeSpan ComputeTime) : RoleReply(RequestId);

/// <summary>A policy version for the rollout workers.</summary>
public sealed record WeightsPublished(WeightsSnapshot Weights);

/// <summary>Reference (and DPO-model) log-probabilities of rollouts' response tokens.</summary>
public sealed record ReferenceScoresRequested(long RequestId, long Step, IReadOnlyList<Rollout> Rollouts, bool WithDpo) : RoleRequest(RequestId, Step);

/// <summary>Answer to <see cref="ReferenceScoresRequested"/>, one entry per rollout.</summary>
public sealed record ReferenceScored(long RequestId, IReadOnlyList<float[]> RefLogProbs, IReadOnlyList<float[]?> DpoLogProbs, TimeSpan ComputeTime)
    : RoleReply(RequestId);

/// <summary>Sequence log-probabilities Σ_t log π_ref(y_t) of (prompt, response) pairs (preference objectives).</summary>
public sealed record SequenceScoresRequested(long RequestId, long Step, IReadOnlyList<SequencePair> Items) : RoleRequest(RequestId, Step);

/// <summary>A prompt and a response, in tokens.</summary>
public sealed record SequencePair(int[] Prompt, int[] Response);

/// <summary>Answer to <see cref="SequenceScoresRequested"/> (and to the learner's <see cref="PolicySequenceScoresRequested"/>).</summary>
public sealed record SequencesScored(long RequestId, double[] LogProbs, TimeSpan ComputeTime) : RoleReply(RequestId);

/// <summary>
/// Sequence rewards of rollouts, and the demonstrations' rewards when asked. <paramref name="KnownDemoRewards"/> holds the
/// demonstration rewards of this request's prompts that the run journal already has (RCfD): the role takes them as they
/// are instead of scoring those demonstrations again.
/// </summary>
public sealed record RewardsRequested(
    long RequestId, long Step, IReadOnlyList<Rollout> Rollouts, bool WithDemonstrations, IReadOnlyDictionary<long, double[]> KnownDemoRewards)
    : RoleRequest(RequestId, Step);

/// <summary>
/// Answer to <see cref="RewardsRequested"/>, one entry per rollout; <paramref name="DemonstrationsScored"/> counts the
/// prompts whose demonstration the role scored for this answer (neither known nor in its own cache).
/// </summary>
public sealed record RewardsScored(
    long RequestId, IReadOnlyList<double[]> Rewards, IReadOnlyList<double[]>? DemoRewards, TimeSpan ComputeTime, int DemonstrationsScored = 0)
    : RoleReply(RequestId);

/// <summary>Turn scored rollouts into a training batch.</summary>
public sealed record BatchPreparationRequested(long RequestId, long Step, IReadOnlyList<ScoredRollout> Batch) : RoleRequest(RequestId, Step);

/// <summary>Answer to <see cref="BatchPreparationRequested"/>.</summary>
public sealed record BatchPrepared(long RequestId, TrainingBatch Batch, TimeSpan ComputeTime) : RoleReply(RequestId);

/// <summary>Weigh a step's preference pairs (DPO: all 1; ROPO: the current round's kept set).</summary>
public sealed record PreferenceBatchRequested(long RequestId, long Step, IReadOnlyList<PreferenceSample> Pairs) : RoleRequest(RequestId, Step);

/// <summary>Answer to <see cref="PreferenceBatchRequested"/>.</summary>
public sealed record PreferenceBatchPrepared(long RequestId, IReadOnlyList<PreferenceSample> Pairs, IReadOnlyDictionary<string, double> Metrics, TimeSpan ComputeTime)
    : RoleReply(RequestId);

/// <summary>Update the policy on a training batch and publish the new version.</summary>
public sealed record TrainingRequested(long RequestId, long Step, TrainingBatch Batch) : RoleRequest(RequestId, Step);

/// <summary>Update the policy on weighted preference pairs and publish the new version.</summary>
public sealed record PreferenceTrainingRequested(long RequestId, long Step, IReadOnlyList<PreferenceSample> Pairs) : RoleRequest(RequestId, Step);

/// <summary>The learner updated: the new version's weights and the update's figures.</summary>
public sealed record PolicyUpdated(long RequestId, WeightsSnapshot Weights, IReadOnlyDictionary<string, double> Metrics, TimeSpan UpdateTime, TimeSpan PublishTime)
    : RoleReply(RequestId);

/// <summary>The learner's current weights (to seed or re-seed rollout workers).</summary>
public sealed record WeightsRequested(long RequestId, long Step) : RoleRequest(RequestId, Step);

/// <summary>Answer to <see cref="WeightsRequested"/>.</summary>
public sealed record WeightsReply(long RequestId, WeightsSnapshot Weights) : RoleReply(RequestId);

/// <summary>Sequence log-probabilities under the current policy (ROPO's round-end filtering).</summary>
public sealed record PolicySequenceScoresRequested(long RequestId, long Step, IReadOnlyList<SequencePair> Items) : RoleRequest(RequestId, Step);

/// <summary>Write the learner's complete state, and the coordinator's <paramref name="State"/> (data cursor, …), to a checkpoint directory.</summary>
public sealed record CheckpointRequested(long RequestId, long Step, string Directory, IReadOnlyDictionary<string, string> State) : RoleRequest(RequestId, Step);

/// <summary>Answer to <see cref="CheckpointRequested"/>.</summary>
public sealed record CheckpointWritten(long RequestId, string Directory) : RoleReply(RequestId);

/// <summary>Run one pre-RL stage (its result is reused when an earlier run checkpointed the same settings).</summary>
/// <param name="RequestId">The request.</param>
/// <param name="Stage">sft, reward_model or dpo.</param>
/// <param name="Upstream">The results of the stages it starts from, by stage name.</param>
public sealed record StageRequested(long RequestId, string Stage, IReadOnlyDictionary<string, StageResult> Upstream) : RoleRequest(RequestId, 0);

/// <summary>Answer to <see cref="StageRequested"/>; <paramref name="Result"/> is null when the stage is skipped.</summary>
public sealed record StageCompleted(long RequestId, StageResult? Result, bool Cancelled = false) : RoleReply(RequestId);

/// <summary>A stage's step, forwarded by the learner to the coordinator while the stage runs.</summary>
public sealed record StageProgressed(StageProgress Progress);

/// <summary>Evaluate a policy checkpoint on the task.</summary>
public sealed record EvaluationRequested(long RequestId, string Label, string PolicyDir) : RoleRequest(RequestId, 0);

/// <summary>Answer to <see cref="EvaluationRequested"/>.</summary>
public sealed record Evaluated(long RequestId, string Label, IReadOnlyList<EvalFigure> Figures) : RoleReply(RequestId);

/// <summary>End a ROPO round: filter the current pairs by their ℓ_ropo under the policy (arrays in the order of <paramref name="Pairs"/>).</summary>
public sealed record RopoRoundRequested(long RequestId, long Step, IReadOnlyList<PreferenceExample> Pairs, double[] PolicyChosen, double[] PolicyRejected,
    double[] RefChosen, double[] RefRejected) : RoleRequest(RequestId, Step);

/// <summary>A prompt whose pair the filter dropped, to be replaced by rejection sampling.</summary>
public sealed record DroppedPrompt(long PromptId, int[] Prompt);

/// <summary>The round's filtering: the kept pairs and the prompts to replace by rejection sampling.</summary>
public sealed record RopoRoundStarted(long RequestId, IReadOnlyList<long> KeptPairIds, IReadOnlyList<DroppedPrompt> Dropped, IReadOnlyDictionary<string, double> Metrics)
    : RoleReply(RequestId);

/// <summary>Rejection-sampling candidates of one dropped prompt, scored: policy and reference sequence log-probabilities and rewards (NaN without a reward source).</summary>
public sealed record RejectionCandidates(long PromptId, IReadOnlyList<int[]> Responses, double[] PolicyLogProbs, double[] RefLogProbs, double[] Rewards);

/// <summary>Form and accept (or not) a pair from each dropped prompt's candidates, then start the next round's set.</summary>
public sealed record RejectionSamplesOffered(long RequestId, long Step, IReadOnlyList<RejectionCandidates> Candidates) : RoleRequest(RequestId, Step);

/// <summary>The accepted pairs, the next round's training set (kept and accepted pairs) and the round's filtering.</summary>
public sealed record RejectionSamplesJudged(long RequestId, IReadOnlyList<PreferenceExample> Accepted, IReadOnlyList<PreferenceExample> NextSet,
    IReadOnlyDictionary<string, double> Metrics, RopoRoundState Round) : RoleReply(RequestId);

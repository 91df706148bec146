using ActorRL.Models.Inference;

namespace ActorRL.Models.Rlhf;

/// <summary>A prompt handed to a rollout worker: the sample it becomes and the task prompt it is drawn from.</summary>
/// <param name="SampleId">Unique id of the sample this generation becomes; the coordinator counts samples by it.</param>
/// <param name="PromptId">The task's prompt id (<see cref="IRlTask.Prompt"/>); several samples may share one.</param>
/// <param name="Tokens">The prompt's token ids.</param>
public sealed record RolloutPrompt(long SampleId, long PromptId, int[] Tokens);

/// <summary>
/// One generated completion with what the rollout policy computed for it. Arrays are per response token:
/// <c>LogProbs[t]</c> = log π_old(y_t) at temperature 1 and <c>Values[t]</c> = V(prefix before y_t) from the
/// policy's value head (empty when the policy has none).
/// </summary>
/// <param name="SampleId">The sample id of its <see cref="RolloutPrompt"/>.</param>
/// <param name="PromptId">The task's prompt id.</param>
/// <param name="Prompt">Prompt token ids.</param>
/// <param name="Response">Generated token ids (including a final stop token when one was sampled).</param>
/// <param name="LogProbs">log π_old(y_t), one per response token.</param>
/// <param name="Values">V_t, one per response token, or empty.</param>
/// <param name="PolicyVersion">The weight version that generated it.</param>
/// <param name="Finish">Why generation stopped.</param>
public sealed record Rollout(
    long SampleId, long PromptId, int[] Prompt, int[] Response, float[] LogProbs, float[] Values, long PolicyVersion, FinishReason Finish);

/// <summary>A rollout with its reference log-probabilities and rewards, the objective's input.</summary>
/// <param name="Rollout">The rollout.</param>
/// <param name="RefLogProbs">log π_ref(y_t) under the frozen SFT model, per response token.</param>
/// <param name="DpoLogProbs">log π_dpo(y_t) under the DPO model (RTO, DRTO), or null.</param>
/// <param name="Rewards">Sequence rewards R_i(x, y), one per reward source (verifier or reward models).</param>
/// <param name="DemoRewards">R_i(x, y_d) of the prompt's demonstration (RCfD), same count as <paramref name="Rewards"/>, or null.</param>
public sealed record ScoredRollout(Rollout Rollout, float[] RefLogProbs, float[]? DpoLogProbs, double[] Rewards, double[]? DemoRewards);

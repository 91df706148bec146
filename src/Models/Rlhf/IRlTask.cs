using ActorRL.Models.Nn;
using ActorRL.Models.Text;
using ActorRL.Models.Training;

namespace ActorRL.Models.Rlhf;

/// <summary>
/// A built-in task as the pipeline sees it: prompts by id (deterministic for a seed, so a prompt id is all a message
/// needs to carry), demonstrations, a verifier when the task has one, data for the stages, and its evaluation.
/// </summary>
public interface IRlTask
{
    /// <summary>The config name: <c>arithmetic</c>, <c>reviews</c>, <c>preferences</c>.</summary>
    string Name { get; }

    /// <summary>The task's tokenizer.</summary>
    ITokenizer Tokenizer { get; }

    /// <summary>Tokens that close a reasoning step (DRTO's span boundaries); empty when the task has none.</summary>
    IReadOnlySet<int> StepBoundaryTokens { get; }

    /// <summary>Longest prompt, in tokens, of any training prompt.</summary>
    int MaxPromptTokens { get; }

    /// <summary>The training prompt with this id (the same ids give the same prompts for the same seed).</summary>
    int[] Prompt(long promptId);

    /// <summary>The demonstration's response tokens for this prompt (RCfD's y_d), or null when the task has none.</summary>
    int[]? Demonstration(long promptId);

    /// <summary>The exact verifier's reward for a response, or null when the task has no verifier (then a reward model scores).</summary>
    double? VerifiedReward(long promptId, int[] response);

    /// <summary>Demonstrations for supervised fine-tuning.</summary>
    IReadOnlyList<SftExample> SftExamples(int count, int seed);

    /// <summary>Labelled sequences for the reward model (prompt + response + eos ids, target score), or empty.</summary>
    IReadOnlyList<(int[] Ids, double Target)> RewardExamples(int count, int seed);

    /// <summary>Preference pairs with label noise at <paramref name="noiseRate"/>.</summary>
    IReadOnlyList<PreferenceExample> PreferencePairs(int count, double noiseRate, int seed);

    /// <summary>The task's evaluation figures of a policy (accuracy in-distribution and shifted, naturalness, win rate, …).</summary>
    IReadOnlyList<EvalFigure> Evaluate(EvalContext context);
}

/// <summary>A labelled preference pair in tokens.</summary>
/// <param name="PairId">Unique id of the pair.</param>
/// <param name="PromptId">The prompt both responses answer.</param>
/// <param name="Prompt">Prompt token ids.</param>
/// <param name="Chosen">Response labelled preferred (ending with eos).</param>
/// <param name="Rejected">Response labelled dispreferred (ending with eos).</param>
/// <param name="Flipped">Whether noise swapped the labels; known to evaluation only, never to training.</param>
public sealed record PreferenceExample(long PairId, long PromptId, int[] Prompt, int[] Chosen, int[] Rejected, bool Flipped);

/// <summary>One evaluation figure.</summary>
/// <param name="Name">What it is ("accuracy in-distribution", "grammaticality", …).</param>
/// <param name="Value">Its value.</param>
/// <param name="HigherIsBetter">Direction, for the report.</param>
public sealed record EvalFigure(string Name, double Value, bool HigherIsBetter = true);

/// <summary>What an evaluation may use.</summary>
/// <param name="Policy">The policy evaluated.</param>
/// <param name="Reference">The frozen SFT model (log-likelihood under the reference), or null.</param>
/// <param name="Baseline">The model a win rate is measured against (the SFT model), or null.</param>
/// <param name="Reward">The learned reward model, or null.</param>
/// <param name="Examples">Prompts per evaluation set.</param>
/// <param name="MaxNewTokens">Longest response.</param>
/// <param name="Temperature">Sampling temperature; 0 is greedy.</param>
/// <param name="Seed">Seed of the evaluation sets (disjoint from training prompts by construction).</param>
public sealed record EvalContext(
    CausalLM Policy, CausalLM? Reference, CausalLM? Baseline, RewardModel? Reward, int Examples, int MaxNewTokens, double Temperature, int Seed);

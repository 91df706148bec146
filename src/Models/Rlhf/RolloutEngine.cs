using ActorRL.Models.Inference;
using ActorRL.Models.Nn;

namespace ActorRL.Models.Rlhf;

/// <summary>
/// A rollout worker's model side: a copy of the policy at some weight version that samples completions and scores them
/// for the learner. After <see cref="Generator.Generate"/>, one forward pass (no gradients) over prompt + response
/// gives log π_old(y_t) at temperature 1 and, when the policy has a value head, V_t before each response token — in the
/// same right-padded layout the learner uses, rather than the sampler's left-padded, cached one.
/// </summary>
/// <remarks>
/// Responses are never empty: <see cref="GenerationOptions.MaxNewTokens"/> is at least 1 and the generator appends a
/// token to every unfinished row at its first step. The objectives and scorers still accept an empty response (from
/// elsewhere): it keeps its rewards in the batch figures but contributes no training token.
/// </remarks>
public sealed class RolloutEngine : IDisposable
{
    private readonly int padId;
    private readonly IReadOnlyCollection<int> stopTokens;

    /// <summary>Creates the engine; it owns <paramref name="policy"/>.</summary>
    /// <param name="policy">The sampling copy of the policy.</param>
    /// <param name="padId">The id used for padding.</param>
    /// <param name="stopTokens">Tokens that end a response (added to any in the generation options).</param>
    public RolloutEngine(CausalLM policy, int padId, IReadOnlyCollection<int> stopTokens)
    {
        Policy = policy ?? throw new ArgumentNullException(nameof(policy));
        this.padId = padId;
        this.stopTokens = stopTokens ?? throw new ArgumentNullException(nameof(stopTokens));
    }

    /// <summary>The policy copy.</summary>
    public CausalLM Policy { get; }

    /// <summary>The weight version of <see cref="Policy"/>: 0 until weights are applied.</summary>
    public long Version { get; private set; }

    /// <summary>Rows per scoring pass.</summary>
    public int ScoringBatchSize { get; init; } = 64;

    /// <summary>Loads published weights into the policy copy and takes their version.</summary>
    public void Apply(WeightsSnapshot weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        weights.ApplyTo(Policy);
        Version = weights.Version;
    }

    /// <summary>Samples one completion per prompt and scores it; the rollouts come back in the prompts' order.</summary>
    public IReadOnlyList<Rollout> Generate(IReadOnlyList<RolloutPrompt> prompts, GenerationOptions options)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(options);
        if (prompts.Count == 0) return [];
        var generation = options with { StopTokens = [.. options.StopTokens.Union(stopTokens)] };
        IReadOnlyList<Completion> completions = Generator.Generate(Policy, [.. prompts.Select(p => p.Tokens)], generation, padId);
        var (logProbs, values) = ResponseScoring.Score(
            Policy, [.. prompts.Select((p, i) => (p.Tokens, completions[i].Tokens))], Policy.ValueHead is not null, ScoringBatchSize);
        var rollouts = new Rollout[prompts.Count];
        for (int i = 0; i < prompts.Count; i++)
        {
            RolloutPrompt p = prompts[i];
            rollouts[i] = new Rollout(p.SampleId, p.PromptId, p.Tokens, completions[i].Tokens, logProbs[i], values?[i] ?? [], Version, completions[i].FinishReason);
        }
        return rollouts;
    }

    /// <summary>Frees the policy copy.</summary>
    public void Dispose() => Policy.Dispose();
}

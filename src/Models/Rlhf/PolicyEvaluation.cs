using ActorRL.Models.Inference;
using ActorRL.Models.Nn;
using ActorRL.Models.Objectives;
using ActorRL.Models.Tensors;

namespace ActorRL.Models.Rlhf;

/// <summary>
/// The learner's forward pass over a minibatch: prompt + response right-padded, one pass of the policy's shared trunk
/// for logits and values, and the new log-probabilities, entropies and values at the response tokens, [B, R], with the
/// rollout side as a <see cref="PpoBatch"/> in the same layout.
/// </summary>
/// <param name="Tokens">The collated rows.</param>
/// <param name="LogProbs">log π_θ(y_t), with gradient.</param>
/// <param name="Values">V_θ(prefix before y_t), with gradient.</param>
/// <param name="Entropies">Entropy of π_θ at each response token, with gradient.</param>
/// <param name="Rollout">Old log-probabilities, advantages, old values, returns and the response mask.</param>
internal sealed record PolicyEvaluation(TokenBatch Tokens, Tensor LogProbs, Tensor Values, Tensor Entropies, PpoBatch Rollout)
{
    /// <summary>Runs <paramref name="policy"/> (which needs a value head) over <paramref name="minibatch"/>.</summary>
    public static PolicyEvaluation Run(CausalLM policy, IReadOnlyList<TrainingSample> minibatch)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(minibatch);
        if (minibatch.Count == 0) throw new ArgumentException("the minibatch is empty", nameof(minibatch));
        foreach (TrainingSample s in minibatch)
        {
            if (s.OldValues.Length != s.Response.Length || s.Returns.Length != s.Response.Length)
            {
                throw new ArgumentException($"sample {s.SampleId}: the critic's values and returns must be one per response token", nameof(minibatch));
            }
        }
        Device device = policy.Transformer.TokenEmbedding.Device;
        var tokens = TokenBatch.Collate([.. minibatch.Select(s => (s.Prompt, s.Response))], device);
        var (logits, values) = policy.ForwardWithValues(tokens.Ids, tokens.AttentionMask);
        TokenScores scores = Scoring.FromLogits(logits, tokens.Ids, withEntropies: true);
        var rollout = new PpoBatch(
            tokens.PerToken([.. minibatch.Select(s => s.OldLogProbs)], device),
            tokens.PerToken([.. minibatch.Select(s => s.Advantages)], device),
            tokens.PerToken([.. minibatch.Select(s => s.OldValues)], device),
            tokens.PerToken([.. minibatch.Select(s => s.Returns)], device),
            tokens.ResponseMask);
        return new PolicyEvaluation(
            tokens, tokens.AtResponse(scores.LogProbs), tokens.AtResponse(values), tokens.AtResponse(scores.Entropies!), rollout);
    }

    /// <summary>The figures every objective's loss reports: loss, actor_loss, value_loss, entropy, clip_fraction, approx_kl.</summary>
    public Dictionary<string, double> Metrics(Tensor total, Tensor actor, Tensor value, Tensor entropy, PpoOptions options)
    {
        PpoDiagnostics d = Ppo.Diagnose(LogProbs, Values, Rollout, options);
        using var scope = new DisposeScope();
        double[] m = Torch.Stack([total.Detach(), actor.Detach(), value.Detach(), entropy.Detach()]).To(ScalarType.Float64).ToArray<double>();
        return new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["loss"] = m[0],
            ["actor_loss"] = m[1],
            ["value_loss"] = m[2],
            ["entropy"] = m[3],
            ["clip_fraction"] = d.ClipFraction,
            ["approx_kl"] = d.ApproxKl,
        };
    }
}

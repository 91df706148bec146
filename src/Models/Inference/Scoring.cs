using ActorRL.Models.Nn;
using ActorRL.Models.Tensors;

namespace ActorRL.Models.Inference;

/// <summary>Per-token log-probabilities (and entropies) of given sequences: what the reference, the learner and the objective read.</summary>
/// <param name="LogProbs">[B, T-1]: entry t is log p(ids[t+1] | ids[..t]).</param>
/// <param name="Entropies">[B, T-1]: entropy of the next-token distribution after position t, or null when not asked for.</param>
public sealed record TokenScores(Tensor LogProbs, Tensor? Entropies);

/// <summary>Scores token sequences under a causal language model.</summary>
public static class Scoring
{
    /// <summary>
    /// Runs the model over <paramref name="ids"/> [B, T] (prompt and response together) and returns, for each
    /// position but the last, the log-probability of the token that follows. Positions whose target is padding
    /// get a value too: mask them with the attention mask shifted by one.
    /// </summary>
    public static TokenScores Score(CausalLM model, Tensor ids, Tensor? attentionMask = null, bool withEntropies = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        return FromLogits(model.Forward(ids, attentionMask), ids, withEntropies);
    }

    /// <summary>The same from logits [B, T, vocab] already computed for <paramref name="ids"/> [B, T].</summary>
    public static TokenScores FromLogits(Tensor logits, Tensor ids, bool withEntropies = false)
    {
        long t = ids.Size(1);
        if (t < 2) throw new ArgumentException("scoring needs sequences of at least two tokens", nameof(ids));
        Tensor logp = logits.Narrow(1, 0, t - 1).LogSoftmax(-1);
        Tensor targets = ids.Narrow(1, 1, t - 1).Unsqueeze(-1);
        Tensor tokenLogp = logp.Gather(2, targets).Squeeze(-1);
        Tensor? entropies = withEntropies ? -(logp.Exp() * logp).Sum(-1) : null;
        return new TokenScores(tokenLogp, entropies);
    }
}

using ActorRL.Models.Nn;

namespace ActorRL.Models.Rlhf;

/// <summary>
/// The reference role's models: the frozen SFT model π_ref and, for RTO and DRTO, the DPO model π_dpo. Scores responses
/// per token (batched, no gradients, temperature 1) for the objectives, and whole responses for DPO and ROPO.
/// </summary>
public sealed class ReferenceScorer : IDisposable
{
    /// <summary>Creates the scorer; it owns both models.</summary>
    /// <param name="reference">π_ref, the frozen SFT model.</param>
    /// <param name="dpo">π_dpo, or null when no objective needs it.</param>
    public ReferenceScorer(CausalLM reference, CausalLM? dpo = null)
    {
        Reference = reference ?? throw new ArgumentNullException(nameof(reference));
        Dpo = dpo;
        Reference.Eval();
        Dpo?.Eval();
    }

    /// <summary>π_ref.</summary>
    public CausalLM Reference { get; }

    /// <summary>π_dpo, or null.</summary>
    public CausalLM? Dpo { get; }

    /// <summary>Rows per forward pass.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>
    /// log π_ref(y_t) of each rollout's response tokens, and log π_dpo(y_t) when the scorer holds a DPO model (null
    /// otherwise); an empty response gets empty arrays.
    /// </summary>
    public (float[] Ref, float[]? Dpo)[] Score(IReadOnlyList<Rollout> rollouts)
    {
        ArgumentNullException.ThrowIfNull(rollouts);
        if (rollouts.Count == 0) return [];
        (int[] Prompt, int[] Response)[] rows = [.. rollouts.Select(r => (r.Prompt, r.Response))];
        float[][] reference = ResponseScoring.Score(Reference, rows, withValues: false, BatchSize).LogProbs;
        float[][]? dpo = Dpo is null ? null : ResponseScoring.Score(Dpo, rows, withValues: false, BatchSize).LogProbs;
        return [.. reference.Select((r, i) => (r, dpo?[i]))];
    }

    /// <summary>log π(y | x) = Σ_t log π(y_t) of each response under π_ref, or under π_dpo with <paramref name="dpo"/>.</summary>
    /// <exception cref="InvalidOperationException"><paramref name="dpo"/> without a DPO model.</exception>
    public double[] SequenceLogProbs(IReadOnlyList<(int[] Prompt, int[] Response)> items, bool dpo = false)
    {
        ArgumentNullException.ThrowIfNull(items);
        CausalLM model = dpo ? Dpo ?? throw new InvalidOperationException("this reference scorer holds no DPO model") : Reference;
        if (items.Count == 0) return [];
        float[][] logProbs = ResponseScoring.Score(model, items, withValues: false, BatchSize).LogProbs;
        return [.. logProbs.Select(l => l.Sum(x => (double)x))];
    }

    /// <summary>Frees both models.</summary>
    public void Dispose()
    {
        Reference.Dispose();
        Dpo?.Dispose();
    }
}

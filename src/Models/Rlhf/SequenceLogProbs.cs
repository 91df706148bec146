using ActorRL.Models.Inference;
using ActorRL.Models.Nn;
using ActorRL.Models.Objectives;
using ActorRL.Models.Tensors;

namespace ActorRL.Models.Rlhf;

/// <summary>
/// log π(y | x) of whole responses, batched: the sum of the token log-probabilities log π(y_t | x, y_&lt;t) over the
/// response tokens of each (prompt, response) pair. What DPO, ROPO and their stages compare between policy and reference.
/// </summary>
public static class SequenceLogProbs
{
    /// <summary>
    /// One forward pass over the right-padded batch of prompt + response sequences; returns [N] float32 on the model's
    /// device. The tensor keeps its graph when gradients are enabled, so a loss built on it trains the model; open a
    /// <see cref="NoGradScope"/> for constants (the reference). Intermediates belong to the current <see cref="DisposeScope"/>.
    /// </summary>
    /// <param name="model">The language model scoring the responses.</param>
    /// <param name="items">Prompt and response token ids; every prompt needs at least one token (the first response
    /// token is predicted from it) and every pair must fit the model's context.</param>
    /// <param name="padId">The id written into padding positions (never attended to, never counted).</param>
    public static Tensor Compute(CausalLM model, IReadOnlyList<(int[] Prompt, int[] Response)> items, int padId)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count == 0) throw new ArgumentException("no sequences to score", nameof(items));
        int n = items.Count;
        int width = 2;
        for (int b = 0; b < n; b++)
        {
            var (prompt, response) = items[b];
            if (prompt is null || prompt.Length == 0) throw new ArgumentException($"item {b} has no prompt token to predict its response from", nameof(items));
            ArgumentNullException.ThrowIfNull(response);
            width = Math.Max(width, prompt.Length + response.Length);
        }

        var ids = new long[n * width];
        var attention = new long[n * width];
        // responseMask[b, t] marks the scores of position t that predict a response token (the token at t + 1).
        var responseMask = new bool[n * (width - 1)];
        Array.Fill(ids, padId);
        for (int b = 0; b < n; b++)
        {
            var (prompt, response) = items[b];
            int row = b * width, i = 0;
            foreach (int token in prompt) (ids[row + i], attention[row + i++]) = (token, 1);
            foreach (int token in response)
            {
                (ids[row + i], attention[row + i]) = (token, 1);
                responseMask[b * (width - 1) + i - 1] = true;
                i++;
            }
        }

        Device device = model.Transformer.TokenEmbedding.Device;
        Tensor idsTensor = Torch.From<long>(ids, [n, width], device);
        Tensor attentionTensor = Torch.From<long>(attention, [n, width], device);
        Tensor maskTensor = Torch.From<bool>(responseMask, [n, width - 1], device);
        TokenScores scores = Scoring.Score(model, idsTensor, attentionTensor);
        return Dpo.SequenceLogProbs(scores.LogProbs, maskTensor);
    }

    /// <summary>
    /// The same without gradients, as doubles on the host, scored <paramref name="batchSize"/> sequences per pass
    /// (for the frozen reference, ROPO's filter and evaluation). Frees everything it creates.
    /// </summary>
    public static double[] ComputeValues(CausalLM model, IReadOnlyList<(int[] Prompt, int[] Response)> items, int padId, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var values = new double[items.Count];
        using var noGrad = NoGradScope.Enter();
        for (int start = 0; start < items.Count; start += batchSize)
        {
            using var scope = new DisposeScope();
            int count = Math.Min(batchSize, items.Count - start);
            var chunk = new (int[], int[])[count];
            for (int i = 0; i < count; i++) chunk[i] = items[start + i];
            double[] part = Dpo.ToDoubles(Compute(model, chunk, padId));
            part.CopyTo(values, start);
        }
        return values;
    }
}

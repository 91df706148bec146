using ActorRL.Models.Inference;
using ActorRL.Models.Nn;
using ActorRL.Models.Tensors;

namespace ActorRL.Models.Rlhf;

/// <summary>
/// Per-response-token log-probabilities (temperature 1) and, optionally, values of fixed sequences: one forward pass per
/// chunk of rows, in eval mode without gradients, right-padded exactly as the learner collates them, so that the
/// learner's first-epoch ratio is 1 up to floating point.
/// </summary>
internal static class ResponseScoring
{
    /// <summary>log π(y_t) per row and, when <paramref name="withValues"/>, V(prefix before y_t) (null otherwise).</summary>
    public static (float[][] LogProbs, float[][]? Values) Score(
        CausalLM model, IReadOnlyList<(int[] Prompt, int[] Response)> rows, bool withValues, int chunkSize)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        var logProbs = new float[rows.Count][];
        float[][]? values = withValues ? new float[rows.Count][] : null;
        bool wasTraining = model.IsTraining;
        model.Eval();
        try
        {
            using var noGrad = NoGradScope.Enter();
            Device device = model.Transformer.TokenEmbedding.Device;
            for (int start = 0; start < rows.Count; start += chunkSize)
            {
                using var scope = new DisposeScope();
                var chunk = rows.Skip(start).Take(chunkSize).ToList();
                var tokens = TokenBatch.Collate(chunk, device);
                Tensor logits;
                if (withValues)
                {
                    (logits, Tensor v) = model.ForwardWithValues(tokens.Ids, tokens.AttentionMask);
                    tokens.Split(tokens.AtResponse(v)).CopyTo(values!, start);
                }
                else
                {
                    logits = model.Forward(tokens.Ids, tokens.AttentionMask);
                }
                tokens.Split(tokens.AtResponse(Scoring.FromLogits(logits, tokens.Ids).LogProbs)).CopyTo(logProbs, start);
            }
        }
        finally
        {
            model.Train(wasTraining);
        }
        return (logProbs, values);
    }
}

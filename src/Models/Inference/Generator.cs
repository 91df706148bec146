using ActorRL.Models.Nn;
using ActorRL.Models.Tensors;

namespace ActorRL.Models.Inference;

/// <summary>
/// Batched sampling from a <see cref="CausalLM"/>. Prompts of different lengths are left-padded into one
/// batch (the attention mask hides the padding and positions count real tokens only), so every row
/// continues at the same column; with the KV cache each step feeds one token per row.
/// </summary>
public static class Generator
{
    /// <summary>Generates a completion for each prompt.</summary>
    /// <param name="model">The policy; evaluated in eval mode without gradients (its mode is restored).</param>
    /// <param name="prompts">Token ids, each non-empty.</param>
    /// <param name="options">Sampling settings.</param>
    /// <param name="padId">The id used for padding.</param>
    public static IReadOnlyList<Completion> Generate(CausalLM model, IReadOnlyList<int[]> prompts, GenerationOptions options, int padId)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(prompts);
        options = (options ?? throw new ArgumentNullException(nameof(options))).Validate();
        if (prompts.Count == 0) return [];
        if (prompts.Any(p => p.Length == 0)) throw new ArgumentException("every prompt needs at least one token", nameof(prompts));
        int batch = prompts.Count, width = prompts.Max(p => p.Length);
        if (width + options.MaxNewTokens > model.Config.ContextLength)
        {
            throw new ArgumentException($"the longest prompt ({width} tokens) plus {options.MaxNewTokens} new tokens exceeds the context length {model.Config.ContextLength}");
        }
        SamplingStream draws = options.Seed is ulong seed ? new SamplingStream(seed) : SamplingStream.Unseeded();

        bool wasTraining = model.IsTraining;
        model.Eval();
        using var noGrad = NoGradScope.Enter();
        using var scope = new DisposeScope();
        Device device = model.Transformer.TokenEmbedding.Device;
        var (ids, mask) = LeftPad(prompts, width, padId, device);
        using KvCache? cache = options.UseKvCache ? new KvCache(model.Config, batch, width + options.MaxNewTokens, device) : null;

        var tokens = new List<int>[batch];
        var logProbs = new List<float>[batch];
        var finished = new FinishReason?[batch];
        for (int b = 0; b < batch; b++) (tokens[b], logProbs[b]) = ([], []);

        Tensor last = model.Forward(ids, mask, cache).Select(1, width - 1);
        var stop = new HashSet<int>(options.StopTokens);
        var next = new long[batch];
        var nextLogp = new float[batch];
        for (int step = 0; step < options.MaxNewTokens; step++)
        {
            using var stepScope = new DisposeScope();
            Tensor sampled = Sample(last, options, draws);
            sampled.CopyTo<long>(next);
            last.LogSoftmax(-1).Gather(1, sampled.Unsqueeze(1)).Squeeze(1).CopyTo<float>(nextLogp);
            for (int b = 0; b < batch; b++)
            {
                if (finished[b] is not null) continue;
                tokens[b].Add((int)next[b]);
                logProbs[b].Add(nextLogp[b]);
                if (stop.Contains((int)next[b])) finished[b] = FinishReason.Stop;
            }
            if (step == options.MaxNewTokens - 1 || Array.TrueForAll(finished, f => f is not null)) break;

            // Rows that have finished keep running on padding; rows never see each other, so it costs only compute.
            Tensor column = sampled.Unsqueeze(1);
            Tensor nextMask = stepScope.MoveToOuter(Torch.Cat([mask, Torch.Ones([batch, 1], ScalarType.Int64, device)], 1));
            if (cache is not null)
            {
                last = stepScope.MoveToOuter(model.Forward(column, nextMask, cache).Select(1, 0));
            }
            else
            {
                ids = stepScope.MoveToOuter(Torch.Cat([ids, column], 1));
                last = stepScope.MoveToOuter(model.Forward(ids, nextMask).Select(1, -1));
            }
            mask = nextMask;
        }
        model.Train(wasTraining);

        var result = new Completion[batch];
        for (int b = 0; b < batch; b++) result[b] = new Completion([.. tokens[b]], [.. logProbs[b]], finished[b] ?? FinishReason.Length);
        return result;
    }

    /// <summary>
    /// Draws one token per row from logits [B, vocab] under the options' temperature, top-k and top-p, by inverse
    /// transform: row b takes the first token whose cumulative probability exceeds the stream's b-th draw (computed in
    /// float64; tokens of probability 0 are never taken).
    /// </summary>
    /// <param name="logits">Logits [B, vocab].</param>
    /// <param name="options">Temperature (0: the most likely token, no draw), top-k, top-p.</param>
    /// <param name="draws">One draw per row is taken from it; null: a stream of its own.</param>
    public static Tensor Sample(Tensor logits, GenerationOptions options, SamplingStream? draws = null)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Temperature == 0) return logits.Argmax(-1);
        Tensor scaled = options.Temperature == 1 ? logits : logits / options.Temperature;
        long vocab = logits.Size(-1);
        if (options.TopK > 0 && options.TopK < vocab)
        {
            Tensor kth = scaled.TopK(options.TopK).Values.Narrow(-1, options.TopK - 1, 1);
            scaled = scaled.MaskedFill(scaled.Lt(kth), double.NegativeInfinity);
        }
        if (options.TopP < 1)
        {
            var (sorted, order) = scaled.Sort(-1, descending: true);
            Tensor probs = sorted.Softmax(-1);
            // Drop a token when the tokens ranked above it already reach p: the first token always stays.
            Tensor drop = (probs.Cumsum(-1) - probs).Gt(options.TopP);
            Tensor kept = sorted.MaskedFill(drop, double.NegativeInfinity);
            scaled = Torch.Full(scaled.Shape, double.NegativeInfinity, scaled.DType, scaled.Device).Scatter(-1, order, kept);
        }
        draws ??= SamplingStream.Unseeded();
        long rows = logits.Size(0);
        var u = new double[rows];
        for (int b = 0; b < rows; b++) u[b] = draws.NextDouble();
        Tensor cumulative = scaled.To(ScalarType.Float64).Softmax(-1).Cumsum(-1);
        Tensor target = Torch.From<double>(u, [rows, 1], logits.Device) * cumulative.Narrow(-1, vocab - 1, 1);
        // Tokens whose cumulative probability is at most the target lie before the drawn one: their count is its index.
        return cumulative.Le(target).Sum(-1).Clamp(max: vocab - 1);
    }

    private static (Tensor Ids, Tensor Mask) LeftPad(IReadOnlyList<int[]> prompts, int width, int padId, Device device)
    {
        var ids = new long[prompts.Count * width];
        var mask = new long[prompts.Count * width];
        for (int b = 0; b < prompts.Count; b++)
        {
            int offset = b * width + width - prompts[b].Length;
            Array.Fill(ids, padId, b * width, width - prompts[b].Length);
            for (int i = 0; i < prompts[b].Length; i++)
            {
                ids[offset + i] = prompts[b][i];
                mask[offset + i] = 1;
            }
        }
        return (Torch.From<long>(ids, [prompts.Count, width], device), Torch.From<long>(mask, [prompts.Count, width], device));
    }
}

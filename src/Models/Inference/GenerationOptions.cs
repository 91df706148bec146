namespace ActorRL.Models.Inference;

/// <summary>How to sample completions.</summary>
public sealed record GenerationOptions
{
    /// <summary>Most tokens generated per prompt.</summary>
    public int MaxNewTokens { get; init; } = 64;

    /// <summary>Divides the logits before sampling; 0 means greedy (argmax).</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>Sample only among the k most likely tokens; 0 keeps all.</summary>
    public int TopK { get; init; }

    /// <summary>Sample only among the most likely tokens whose probabilities sum to at least p (nucleus); 1 keeps all.</summary>
    public double TopP { get; init; } = 1.0;

    /// <summary>Tokens that end a sequence (included in its output).</summary>
    public IReadOnlyCollection<int> StopTokens { get; init; } = [];

    /// <summary>Reuse keys and values of earlier positions (one new token per step) instead of re-running the whole sequence.</summary>
    public bool UseKvCache { get; init; } = true;

    /// <summary>Seeds the generation's own <see cref="SamplingStream"/>: the same seed gives the same samples, wherever
    /// they are drawn; null draws from an unseeded stream.</summary>
    public ulong? Seed { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public GenerationOptions Validate()
    {
        if (MaxNewTokens < 1) throw new ArgumentException($"{nameof(MaxNewTokens)} must be at least 1, not {MaxNewTokens}");
        if (!(Temperature >= 0) || double.IsInfinity(Temperature)) throw new ArgumentException($"{nameof(Temperature)} must be >= 0, not {Temperature}");
        if (TopK < 0) throw new ArgumentException($"{nameof(TopK)} must be >= 0, not {TopK}");
        if (!(TopP > 0 && TopP <= 1)) throw new ArgumentException($"{nameof(TopP)} must be in (0, 1], not {TopP}");
        return this;
    }
}

/// <summary>Why a sequence ended.</summary>
public enum FinishReason
{
    /// <summary>It produced a stop token.</summary>
    Stop,
    /// <summary>It reached <see cref="GenerationOptions.MaxNewTokens"/>.</summary>
    Length,
}

/// <summary>One completion.</summary>
/// <param name="Tokens">The generated tokens (a final stop token included).</param>
/// <param name="LogProbs">log π(token) of each generated token under the model (temperature 1, no top-k/top-p),
/// as the learner will recompute it.</param>
/// <param name="FinishReason">Why it ended.</param>
public sealed record Completion(int[] Tokens, float[] LogProbs, FinishReason FinishReason);

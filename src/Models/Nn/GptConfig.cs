namespace ActorRL.Models.Nn;

/// <summary>The size of a GPT-2 style model. Parameter names follow nanoGPT, so the same config
/// builds the same model in PyTorch.</summary>
/// <param name="VocabSize">Number of token ids.</param>
/// <param name="ContextLength">Longest sequence (number of learned positions).</param>
/// <param name="Layers">Transformer blocks.</param>
/// <param name="Heads">Attention heads per block; must divide <paramref name="Width"/>.</param>
/// <param name="Width">Embedding width (n_embd).</param>
/// <param name="Dropout">Dropout on embeddings, attention weights and residual branches while training.</param>
public sealed record GptConfig(int VocabSize, int ContextLength, int Layers, int Heads, int Width, double Dropout = 0.0)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public GptConfig Validate()
    {
        if (VocabSize < 1) throw new ArgumentException($"{nameof(VocabSize)} must be at least 1, not {VocabSize}");
        if (ContextLength < 1) throw new ArgumentException($"{nameof(ContextLength)} must be at least 1, not {ContextLength}");
        if (Layers < 1) throw new ArgumentException($"{nameof(Layers)} must be at least 1, not {Layers}");
        if (Heads < 1 || Width % Heads != 0) throw new ArgumentException($"{nameof(Heads)} ({Heads}) must divide {nameof(Width)} ({Width})");
        if (Dropout is < 0 or >= 1) throw new ArgumentException($"{nameof(Dropout)} must be in [0, 1), not {Dropout}");
        return this;
    }

    /// <summary>Width of one attention head.</summary>
    public int HeadWidth => Width / Heads;
}

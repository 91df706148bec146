using ActorRL.Host.Hosting;
using ActorRL.Models.Nn;

namespace ActorRL.Host.Configuration;

/// <summary>Section <c>model</c>: the size of the policy (and of the reward and value models built like it).</summary>
public sealed record ModelConfig
{
    /// <summary>Token ids; 0 takes the task tokenizer's vocabulary size.</summary>
    public int VocabSize { get; init; }

    /// <summary>Longest sequence, prompt and response together.</summary>
    public int ContextLength { get; init; } = 128;

    /// <summary>Transformer blocks.</summary>
    public int Layers { get; init; } = 2;

    /// <summary>Attention heads per block; must divide <see cref="Width"/>.</summary>
    public int Heads { get; init; } = 4;

    /// <summary>Embedding width.</summary>
    public int Width { get; init; } = 64;

    /// <summary>Dropout while training.</summary>
    public double Dropout { get; init; }

    /// <summary>The GPT of this size for a task whose tokenizer has <paramref name="tokenizerVocabSize"/> ids.</summary>
    public GptConfig ToGptConfig(int tokenizerVocabSize) =>
        new(VocabSize == 0 ? tokenizerVocabSize : VocabSize, ContextLength, Layers, Heads, Width, Dropout);

    /// <summary>Throws <see cref="InvalidConfigurationException"/> naming the first invalid key.</summary>
    public void Validate(int tokenizerVocabSize)
    {
        if (VocabSize != 0 && VocabSize < tokenizerVocabSize)
        {
            throw new InvalidConfigurationException("model.vocab_size", $"must be 0 (the task's) or at least the task tokenizer's {tokenizerVocabSize}, not {VocabSize}");
        }
        ConfigCheck.AtLeast(ContextLength, 2, "model.context_length");
        ConfigCheck.AtLeast(Layers, 1, "model.layers");
        ConfigCheck.AtLeast(Heads, 1, "model.heads");
        ConfigCheck.AtLeast(Width, 1, "model.width");
        if (Width % Heads != 0) throw new InvalidConfigurationException("model.heads", $"must divide model.width ({Width}), not {Heads}");
        if (!(Dropout >= 0 && Dropout < 1)) throw new InvalidConfigurationException("model.dropout", $"must be in [0, 1), not {Dropout}");
    }
}

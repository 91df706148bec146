using ActorRL.Models.Tensors;

namespace ActorRL.Models.Nn;

/// <summary>
/// The GPT-2 body (nanoGPT's <c>transformer</c>): token and learned position embeddings, the blocks,
/// and the final LayerNorm. Returns hidden states; heads on top make logits, values or rewards.
/// </summary>
public sealed class GptTrunk : Module
{
    private readonly Embedding wte;
    private readonly Embedding wpe;
    private readonly Block[] blocks;
    private readonly LayerNorm lnF;

    /// <summary>Creates the trunk with GPT-2's initialization.</summary>
    public GptTrunk(GptConfig config)
    {
        Config = config.Validate();
        wte = Submodule("wte", new Embedding(config.VocabSize, config.Width));
        wpe = Submodule("wpe", new Embedding(config.ContextLength, config.Width));
        blocks = new Block[config.Layers];
        for (int i = 0; i < config.Layers; i++) blocks[i] = Submodule($"h.{i}", new Block(config));
        lnF = Submodule("ln_f", new LayerNorm(config.Width));
    }

    /// <summary>The model's size.</summary>
    public GptConfig Config { get; }

    /// <summary>The token embedding [vocab, width], also the output projection of a tied LM head.</summary>
    public Tensor TokenEmbedding => wte.Weight;

    /// <summary>
    /// Hidden states [B, T, C] for token ids [B, T].
    /// </summary>
    /// <param name="ids">int64 token ids.</param>
    /// <param name="attentionMask">[B, past + T], 1 (or true) for real tokens and 0 for padding, covering the
    /// cached positions too; null when every token is real. Positions count real tokens only, so left-padded
    /// prompts get the same positions as unpadded ones; padding is never attended to.</param>
    /// <param name="cache">Keys and values of earlier positions; extended by this call.</param>
    public Tensor Forward(Tensor ids, Tensor? attentionMask = null, KvCache? cache = null)
    {
        long b = ids.Size(0), t = ids.Size(1);
        int past = cache?.Length ?? 0;
        long total = past + t;
        if (total > Config.ContextLength)
        {
            throw new ArgumentException($"{total} positions exceed the model's context length {Config.ContextLength}", nameof(ids));
        }
        Device device = ids.Device;
        Tensor causal = Torch.Ones([t, total], ScalarType.Bool, device).Triu(past + 1).View(1, 1, t, total);
        Tensor positions, blocked;
        if (attentionMask is null)
        {
            positions = Torch.Arange(past, total, 1, ScalarType.Int64, device).Unsqueeze(0);
            blocked = causal;
        }
        else
        {
            if (attentionMask.Dim != 2 || attentionMask.Size(0) != b || attentionMask.Size(1) != total)
            {
                throw new ArgumentException($"the attention mask must be [{b}, {total}] (batch, cached + new positions), not [{string.Join(", ", attentionMask.Shape)}]", nameof(attentionMask));
            }
            Tensor mask = attentionMask.DType == ScalarType.Int64 ? attentionMask : attentionMask.To(ScalarType.Int64);
            positions = (mask.Cumsum(1) - 1).Clamp(min: 0).Narrow(1, past, t);
            // A padding query attends to itself only, so that its softmax row is never empty (no NaN).
            Tensor notSelf = Torch.Ones([t, total], ScalarType.Bool, device).Triu(past).Tril(past).LogicalNot().View(1, 1, t, total);
            Tensor paddingKey = mask.Eq(0).View(b, 1, 1, total);
            blocked = causal.LogicalOr(paddingKey.LogicalAnd(notSelf));
        }

        Tensor x = wte.Forward(ids) + wpe.Forward(positions);
        if (Config.Dropout > 0) x = x.Dropout(Config.Dropout, IsTraining);
        for (int i = 0; i < blocks.Length; i++) x = blocks[i].Forward(x, blocked, cache, i);
        if (cache is not null) cache.Length += (int)t;
        return lnF.Forward(x);
    }
}

/// <summary>A scalar per token from hidden states: the PPO critic's value head (<c>value_head.weight</c> [1, C], <c>value_head.bias</c> [1]).</summary>
public sealed class ValueHead : Module
{
    /// <summary>Creates the head with weights drawn from N(0, 0.02²) and zero bias.</summary>
    public ValueHead(int width)
    {
        Weight = Parameter("weight", Torch.Randn([1, width]).MulInPlace(0.02));
        Bias = Parameter("bias", Torch.Zeros([1]));
    }

    /// <summary>[1, C].</summary>
    public Tensor Weight { get; }

    /// <summary>[1].</summary>
    public Tensor Bias { get; }

    /// <summary>hidden [B, T, C] → values [B, T].</summary>
    public Tensor Forward(Tensor hidden) => hidden.Linear(Weight, Bias).Squeeze(-1);
}

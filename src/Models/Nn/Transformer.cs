using ActorRL.Models.Tensors;

namespace ActorRL.Models.Nn;

/// <summary>Multi-head causal self-attention (nanoGPT's CausalSelfAttention), optionally over a KV cache.</summary>
public sealed class CausalSelfAttention : Module
{
    private readonly GptConfig config;
    private readonly Linear cAttn;
    private readonly Linear cProj;

    /// <summary>Creates the layer; the output projection starts scaled down by sqrt(2·layers) as in GPT-2.</summary>
    public CausalSelfAttention(GptConfig config)
    {
        this.config = config;
        cAttn = Submodule("c_attn", new Linear(config.Width, 3 * config.Width));
        cProj = Submodule("c_proj", new Linear(config.Width, config.Width, std: 0.02 / Math.Sqrt(2.0 * config.Layers)));
    }

    /// <summary>x [B, T, C] → [B, T, C]. <paramref name="blocked"/> [B or 1, 1, T, past + T] is true where a query
    /// may not look; with a cache, keys and values of earlier positions come from it.</summary>
    public Tensor Forward(Tensor x, Tensor blocked, KvCache? cache, int layer)
    {
        long b = x.Size(0), t = x.Size(1);
        Tensor qkv = cAttn.Forward(x);
        Tensor q = Heads(qkv, 0, b, t), k = Heads(qkv, 1, b, t), v = Heads(qkv, 2, b, t);
        if (cache is not null) (k, v) = cache.Append(layer, k, v);

        Tensor att = q.MatMul(k.Transpose(-2, -1)) * (1.0 / Math.Sqrt(config.HeadWidth));
        att = att.MaskedFill(blocked, double.NegativeInfinity).Softmax(-1);
        if (config.Dropout > 0) att = att.Dropout(config.Dropout, IsTraining);
        Tensor y = att.MatMul(v).Transpose(1, 2).Contiguous().View(b, t, config.Width);
        y = cProj.Forward(y);
        return config.Dropout > 0 ? y.Dropout(config.Dropout, IsTraining) : y;
    }

    // Part i (q, k or v) of the fused projection as [B, heads, T, head width].
    private Tensor Heads(Tensor qkv, int i, long b, long t) =>
        qkv.Narrow(2, i * config.Width, config.Width).View(b, t, config.Heads, config.HeadWidth).Transpose(1, 2);
}

/// <summary>The feed-forward block: Linear(C, 4C) → GELU → Linear(4C, C).</summary>
public sealed class Mlp : Module
{
    private readonly GptConfig config;
    private readonly Linear cFc;
    private readonly Linear cProj;

    /// <summary>Creates the block.</summary>
    public Mlp(GptConfig config)
    {
        this.config = config;
        cFc = Submodule("c_fc", new Linear(config.Width, 4 * config.Width));
        cProj = Submodule("c_proj", new Linear(4 * config.Width, config.Width, std: 0.02 / Math.Sqrt(2.0 * config.Layers)));
    }

    /// <summary>x [..., C] → [..., C].</summary>
    public Tensor Forward(Tensor x)
    {
        Tensor y = cProj.Forward(cFc.Forward(x).Gelu());
        return config.Dropout > 0 ? y.Dropout(config.Dropout, IsTraining) : y;
    }
}

/// <summary>A pre-LayerNorm transformer block: x + attn(ln_1(x)), then + mlp(ln_2(x)).</summary>
public sealed class Block : Module
{
    private readonly LayerNorm ln1;
    private readonly CausalSelfAttention attn;
    private readonly LayerNorm ln2;
    private readonly Mlp mlp;

    /// <summary>Creates the block.</summary>
    public Block(GptConfig config)
    {
        ln1 = Submodule("ln_1", new LayerNorm(config.Width));
        attn = Submodule("attn", new CausalSelfAttention(config));
        ln2 = Submodule("ln_2", new LayerNorm(config.Width));
        mlp = Submodule("mlp", new Mlp(config));
    }

    /// <summary>x [B, T, C] → [B, T, C].</summary>
    public Tensor Forward(Tensor x, Tensor blocked, KvCache? cache, int layer)
    {
        // The block's intermediates are freed as soon as it returns, as Python's refcounting would; autograd keeps
        // its own references to what backward needs. This halves peak memory of long no-grad passes.
        using var scope = new DisposeScope();
        Tensor h = x + attn.Forward(ln1.Forward(x), blocked, cache, layer);
        return scope.MoveToOuter(h + mlp.Forward(ln2.Forward(h)));
    }
}

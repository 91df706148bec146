using ActorRL.Models.Tensors;

namespace ActorRL.Models.Nn;

/// <summary>y = x Wᵀ + b, with W of shape [out, in] (PyTorch's layout).</summary>
public sealed class Linear : Module
{
    /// <summary>Creates the layer with weights drawn from N(0, <paramref name="std"/>²) and zero bias.</summary>
    public Linear(long inFeatures, long outFeatures, bool bias = true, double std = 0.02)
    {
        Weight = Parameter("weight", Torch.Randn([outFeatures, inFeatures]).MulInPlace(std));
        Bias = bias ? Parameter("bias", Torch.Zeros([outFeatures])) : null;
    }

    /// <summary>[out, in].</summary>
    public Tensor Weight { get; }

    /// <summary>[out], or null.</summary>
    public Tensor? Bias { get; }

    /// <summary>Applies the layer to the last dimension of <paramref name="x"/>.</summary>
    public Tensor Forward(Tensor x) => x.Linear(Weight, Bias);
}

/// <summary>A lookup table of <c>count</c> vectors of <c>width</c> elements.</summary>
public sealed class Embedding : Module
{
    /// <summary>Creates the table with entries drawn from N(0, <paramref name="std"/>²).</summary>
    public Embedding(long count, long width, double std = 0.02)
    {
        Weight = Parameter("weight", Torch.Randn([count, width]).MulInPlace(std));
    }

    /// <summary>[count, width].</summary>
    public Tensor Weight { get; }

    /// <summary>Rows for int64 <paramref name="indices"/> of any shape: [..., width].</summary>
    public Tensor Forward(Tensor indices) => Weight.Embedding(indices);
}

/// <summary>Layer normalization over the last dimension, with learned scale and shift.</summary>
public sealed class LayerNorm : Module
{
    private readonly long width;
    private readonly double eps;

    /// <summary>Creates the layer (scale 1, shift 0).</summary>
    public LayerNorm(long width, double eps = 1e-5)
    {
        this.width = width;
        this.eps = eps;
        Weight = Parameter("weight", Torch.Ones([width]));
        Bias = Parameter("bias", Torch.Zeros([width]));
    }

    /// <summary>Scale, [width].</summary>
    public Tensor Weight { get; }

    /// <summary>Shift, [width].</summary>
    public Tensor Bias { get; }

    /// <summary>Normalizes the last dimension of <paramref name="x"/>.</summary>
    public Tensor Forward(Tensor x) => x.LayerNorm([width], Weight, Bias, eps);
}

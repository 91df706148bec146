namespace ActorRL.Models.Tensors;

/// <summary>How a loss combines its per-element values (libtorch's <c>at::Reduction</c>).</summary>
public enum Reduction
{
    /// <summary>One loss per element.</summary>
    None = 0,
    /// <summary>The mean over the (non-ignored) elements.</summary>
    Mean = 1,
    /// <summary>The sum.</summary>
    Sum = 2,
}

public sealed unsafe partial class Tensor
{
    /// <summary>Matrix product with NumPy-style broadcasting of batch dimensions.</summary>
    public Tensor MatMul(Tensor other) => new(LibTorch.atr_matmul(Handle, other.Handle));

    /// <summary>Batched matrix product of [b, n, m] and [b, m, p].</summary>
    public Tensor Bmm(Tensor other) => new(LibTorch.atr_bmm(Handle, other.Handle));

    /// <summary>x Wᵀ + b with W of shape [out, in]; <paramref name="bias"/> may be null.</summary>
    public Tensor Linear(Tensor weight, Tensor? bias = null) =>
        new(LibTorch.atr_linear(Handle, weight.Handle, HandleOrUndefined(bias)));

    /// <summary>Softmax along <paramref name="dim"/>.</summary>
    public Tensor Softmax(long dim) => new(LibTorch.atr_softmax(Handle, dim));

    /// <summary>log softmax along <paramref name="dim"/>, computed stably.</summary>
    public Tensor LogSoftmax(long dim) => new(LibTorch.atr_log_softmax(Handle, dim));

    /// <summary>Rows of this weight matrix [vocab, width] picked by int64 <paramref name="indices"/>.</summary>
    public Tensor Embedding(Tensor indices) => new(LibTorch.atr_embedding(Handle, indices.Handle));

    /// <summary>Layer normalization over the trailing <paramref name="normalizedShape"/>; weight and bias may be null.</summary>
    public Tensor LayerNorm(ReadOnlySpan<long> normalizedShape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
    {
        fixed (long* s = normalizedShape)
        {
            return new(LibTorch.atr_layer_norm(Handle, s, normalizedShape.Length, HandleOrUndefined(weight), HandleOrUndefined(bias), eps));
        }
    }

    /// <summary>GELU: x Φ(x) exactly, or its tanh approximation (GPT-2's).</summary>
    public Tensor Gelu(bool tanhApproximation = false) => new(LibTorch.atr_gelu(Handle, tanhApproximation ? 1 : 0));

    /// <summary>Zeroes elements with probability p and scales the rest by 1/(1-p) when training.</summary>
    public Tensor Dropout(double p, bool training) => new(LibTorch.atr_dropout(Handle, p, training ? 1 : 0));

    /// <summary>
    /// Cross-entropy between these logits [N, C] (or [N, C, d...]) and class indices <paramref name="target"/>;
    /// targets equal to <paramref name="ignoreIndex"/> contribute nothing.
    /// </summary>
    public Tensor CrossEntropy(Tensor target, Reduction reduction = Reduction.Mean, long ignoreIndex = -100,
        double labelSmoothing = 0, Tensor? classWeights = null) =>
        new(LibTorch.atr_cross_entropy(Handle, target.Handle, HandleOrUndefined(classWeights), (int)reduction, ignoreIndex, labelSmoothing));

    /// <summary>Draws <paramref name="numSamples"/> indices per row with these (unnormalized) probabilities.</summary>
    public Tensor Multinomial(long numSamples, bool replacement = false) =>
        new(LibTorch.atr_multinomial(Handle, numSamples, replacement ? 1 : 0));
}

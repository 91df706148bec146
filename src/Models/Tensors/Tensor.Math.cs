namespace ActorRL.Models.Tensors;

public sealed unsafe partial class Tensor
{
    /// <summary>this + alpha * other.</summary>
    public Tensor Add(Tensor other, double alpha = 1) => new(LibTorch.atr_add(Handle, other.Handle, alpha));

    /// <summary>this + value.</summary>
    public Tensor Add(double value) => new(LibTorch.atr_add_scalar(Handle, value));

    /// <summary>this - alpha * other.</summary>
    public Tensor Sub(Tensor other, double alpha = 1) => new(LibTorch.atr_sub(Handle, other.Handle, alpha));

    /// <summary>this - value.</summary>
    public Tensor Sub(double value) => new(LibTorch.atr_add_scalar(Handle, -value));

    /// <summary>Elementwise product.</summary>
    public Tensor Mul(Tensor other) => new(LibTorch.atr_mul(Handle, other.Handle));

    /// <summary>this * value.</summary>
    public Tensor Mul(double value) => new(LibTorch.atr_mul_scalar(Handle, value));

    /// <summary>Elementwise true division.</summary>
    public Tensor Div(Tensor other) => new(LibTorch.atr_div(Handle, other.Handle));

    /// <summary>this / value.</summary>
    public Tensor Div(double value) => new(LibTorch.atr_div_scalar(Handle, value));

    /// <summary>Elementwise power.</summary>
    public Tensor Pow(Tensor exponent) => new(LibTorch.atr_pow(Handle, exponent.Handle));

    /// <summary>this ^ exponent.</summary>
    public Tensor Pow(double exponent) => new(LibTorch.atr_pow_scalar(Handle, exponent));

    /// <summary>-this.</summary>
    public Tensor Neg() => new(LibTorch.atr_neg(Handle));

    /// <summary>e^this.</summary>
    public Tensor Exp() => new(LibTorch.atr_exp(Handle));

    /// <summary>Natural logarithm.</summary>
    public Tensor Log() => new(LibTorch.atr_log(Handle));

    /// <summary>Square root.</summary>
    public Tensor Sqrt() => new(LibTorch.atr_sqrt(Handle));

    /// <summary>1 / sqrt(this).</summary>
    public Tensor Rsqrt() => new(LibTorch.atr_rsqrt(Handle));

    /// <summary>Hyperbolic tangent.</summary>
    public Tensor Tanh() => new(LibTorch.atr_tanh(Handle));

    /// <summary>Logistic function 1 / (1 + e^-x).</summary>
    public Tensor Sigmoid() => new(LibTorch.atr_sigmoid(Handle));

    /// <summary>log σ(x), computed stably.</summary>
    public Tensor LogSigmoid() => new(LibTorch.atr_logsigmoid(Handle));

    /// <summary>(1/β) log(1 + e^(βx)), linear above <paramref name="threshold"/>/β.</summary>
    public Tensor Softplus(double beta = 1, double threshold = 20) => new(LibTorch.atr_softplus(Handle, beta, threshold));

    /// <summary>Absolute value.</summary>
    public Tensor Abs() => new(LibTorch.atr_abs(Handle));

    /// <summary>max(x, 0).</summary>
    public Tensor Relu() => new(LibTorch.atr_relu(Handle));

    /// <summary>1 / x.</summary>
    public Tensor Reciprocal() => new(LibTorch.atr_reciprocal(Handle));

    /// <summary>x².</summary>
    public Tensor Square() => new(LibTorch.atr_square(Handle));

    /// <summary>Limits values to [min, max]; either bound may be omitted.</summary>
    public Tensor Clamp(double? min = null, double? max = null)
    {
        if (min is null && max is null) throw new ArgumentException("Clamp needs a lower or an upper bound");
        return new(LibTorch.atr_clamp(Handle, min is null ? 0 : 1, min ?? 0, max is null ? 0 : 1, max ?? 0));
    }

    /// <summary>Elementwise minimum.</summary>
    public Tensor Minimum(Tensor other) => new(LibTorch.atr_minimum(Handle, other.Handle));

    /// <summary>Elementwise maximum.</summary>
    public Tensor Maximum(Tensor other) => new(LibTorch.atr_maximum(Handle, other.Handle));

    /// <summary>Elementwise ==, as bool.</summary>
    public Tensor Eq(Tensor other) => new(LibTorch.atr_eq(Handle, other.Handle));

    /// <summary>Elementwise == value, as bool.</summary>
    public Tensor Eq(double value) => new(LibTorch.atr_eq_scalar(Handle, value));

    /// <summary>Elementwise !=, as bool.</summary>
    public Tensor Ne(Tensor other) => new(LibTorch.atr_ne(Handle, other.Handle));

    /// <summary>Elementwise != value, as bool.</summary>
    public Tensor Ne(double value) => new(LibTorch.atr_ne_scalar(Handle, value));

    /// <summary>Elementwise &lt;, as bool.</summary>
    public Tensor Lt(Tensor other) => new(LibTorch.atr_lt(Handle, other.Handle));

    /// <summary>Elementwise &lt; value, as bool.</summary>
    public Tensor Lt(double value) => new(LibTorch.atr_lt_scalar(Handle, value));

    /// <summary>Elementwise &lt;=, as bool.</summary>
    public Tensor Le(Tensor other) => new(LibTorch.atr_le(Handle, other.Handle));

    /// <summary>Elementwise &lt;= value, as bool.</summary>
    public Tensor Le(double value) => new(LibTorch.atr_le_scalar(Handle, value));

    /// <summary>Elementwise &gt;, as bool.</summary>
    public Tensor Gt(Tensor other) => new(LibTorch.atr_gt(Handle, other.Handle));

    /// <summary>Elementwise &gt; value, as bool.</summary>
    public Tensor Gt(double value) => new(LibTorch.atr_gt_scalar(Handle, value));

    /// <summary>Elementwise &gt;=, as bool.</summary>
    public Tensor Ge(Tensor other) => new(LibTorch.atr_ge(Handle, other.Handle));

    /// <summary>Elementwise &gt;= value, as bool.</summary>
    public Tensor Ge(double value) => new(LibTorch.atr_ge_scalar(Handle, value));

    /// <summary>Elementwise logical and.</summary>
    public Tensor LogicalAnd(Tensor other) => new(LibTorch.atr_logical_and(Handle, other.Handle));

    /// <summary>Elementwise logical or.</summary>
    public Tensor LogicalOr(Tensor other) => new(LibTorch.atr_logical_or(Handle, other.Handle));

    /// <summary>Elementwise logical not.</summary>
    public Tensor LogicalNot() => new(LibTorch.atr_logical_not(Handle));

    /// <summary>Where the elements are NaN.</summary>
    public Tensor IsNan() => new(LibTorch.atr_isnan(Handle));

    /// <summary>Where the elements are neither infinite nor NaN.</summary>
    public Tensor IsFinite() => new(LibTorch.atr_isfinite(Handle));

    /// <summary>In place: this += alpha * other.</summary>
    public Tensor AddInPlace(Tensor other, double alpha = 1)
    {
        TorchException.Check(LibTorch.atr_add_(Handle, other.Handle, alpha));
        return this;
    }

    /// <summary>In place: this *= value.</summary>
    public Tensor MulInPlace(double value)
    {
        TorchException.Check(LibTorch.atr_mul_scalar_(Handle, value));
        return this;
    }

    /// <summary>In place: every element = value.</summary>
    public Tensor FillInPlace(double value)
    {
        TorchException.Check(LibTorch.atr_fill_(Handle, value));
        return this;
    }

    /// <summary>In place: every element = 0.</summary>
    public Tensor ZeroInPlace()
    {
        TorchException.Check(LibTorch.atr_zero_(Handle));
        return this;
    }

    /// <summary>In place: copies (and broadcasts, converts, moves) <paramref name="source"/> into this tensor.</summary>
    public Tensor CopyInPlace(Tensor source)
    {
        TorchException.Check(LibTorch.atr_copy_(Handle, source.Handle));
        return this;
    }

    /// <summary>Sum of all elements.</summary>
    public Tensor Sum() => new(LibTorch.atr_sum_all(Handle));

    /// <summary>Sum over <paramref name="dims"/>.</summary>
    public Tensor Sum(ReadOnlySpan<long> dims, bool keepDim = false)
    {
        fixed (long* d = dims) return new(LibTorch.atr_sum(Handle, d, dims.Length, keepDim ? 1 : 0));
    }

    /// <summary>Sum over one dimension.</summary>
    public Tensor Sum(long dim, bool keepDim = false) => Sum([dim], keepDim);

    /// <summary>Mean of all elements.</summary>
    public Tensor Mean() => new(LibTorch.atr_mean_all(Handle));

    /// <summary>Mean over <paramref name="dims"/>.</summary>
    public Tensor Mean(ReadOnlySpan<long> dims, bool keepDim = false)
    {
        fixed (long* d = dims) return new(LibTorch.atr_mean(Handle, d, dims.Length, keepDim ? 1 : 0));
    }

    /// <summary>Mean over one dimension.</summary>
    public Tensor Mean(long dim, bool keepDim = false) => Mean([dim], keepDim);

    /// <summary>Largest element.</summary>
    public Tensor Max() => new(LibTorch.atr_max_all(Handle));

    /// <summary>Largest elements along <paramref name="dim"/> and their positions.</summary>
    public (Tensor Values, Tensor Indices) Max(long dim, bool keepDim = false)
    {
        TorchException.Check(LibTorch.atr_max_dim(Handle, dim, keepDim ? 1 : 0, out var v, out var i));
        return (new Tensor(v), new Tensor(i));
    }

    /// <summary>Smallest element.</summary>
    public Tensor Min() => new(LibTorch.atr_min_all(Handle));

    /// <summary>Smallest elements along <paramref name="dim"/> and their positions.</summary>
    public (Tensor Values, Tensor Indices) Min(long dim, bool keepDim = false)
    {
        TorchException.Check(LibTorch.atr_min_dim(Handle, dim, keepDim ? 1 : 0, out var v, out var i));
        return (new Tensor(v), new Tensor(i));
    }

    /// <summary>log Σ exp over <paramref name="dims"/>, computed stably.</summary>
    public Tensor LogSumExp(ReadOnlySpan<long> dims, bool keepDim = false)
    {
        fixed (long* d = dims) return new(LibTorch.atr_logsumexp(Handle, d, dims.Length, keepDim ? 1 : 0));
    }

    /// <summary>log Σ exp over one dimension.</summary>
    public Tensor LogSumExp(long dim, bool keepDim = false) => LogSumExp([dim], keepDim);

    /// <summary>Variance over <paramref name="dims"/> (all elements when empty); unbiased divides by n - 1.</summary>
    public Tensor Var(ReadOnlySpan<long> dims = default, bool unbiased = true, bool keepDim = false)
    {
        fixed (long* d = dims) return new(LibTorch.atr_var(Handle, d, dims.Length, unbiased ? 1 : 0, keepDim ? 1 : 0));
    }

    /// <summary>Standard deviation over <paramref name="dims"/> (all elements when empty); unbiased divides by n - 1.</summary>
    public Tensor Std(ReadOnlySpan<long> dims = default, bool unbiased = true, bool keepDim = false)
    {
        fixed (long* d = dims) return new(LibTorch.atr_std(Handle, d, dims.Length, unbiased ? 1 : 0, keepDim ? 1 : 0));
    }

    /// <summary>Position of the largest element along <paramref name="dim"/>.</summary>
    public Tensor Argmax(long dim, bool keepDim = false) => new(LibTorch.atr_argmax(Handle, dim, keepDim ? 1 : 0));

    /// <summary>Running sum along <paramref name="dim"/>.</summary>
    public Tensor Cumsum(long dim) => new(LibTorch.atr_cumsum(Handle, dim));

    /// <summary>The k largest (or smallest) elements along <paramref name="dim"/> and their positions.</summary>
    public (Tensor Values, Tensor Indices) TopK(long k, long dim = -1, bool largest = true, bool sorted = true)
    {
        TorchException.Check(LibTorch.atr_topk(Handle, k, dim, largest ? 1 : 0, sorted ? 1 : 0, out var v, out var i));
        return (new Tensor(v), new Tensor(i));
    }

    /// <summary>Sorted elements along <paramref name="dim"/> and their original positions.</summary>
    public (Tensor Values, Tensor Indices) Sort(long dim = -1, bool descending = false)
    {
        TorchException.Check(LibTorch.atr_sort(Handle, dim, descending ? 1 : 0, out var v, out var i));
        return (new Tensor(v), new Tensor(i));
    }
}

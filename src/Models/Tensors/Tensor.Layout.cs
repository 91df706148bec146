namespace ActorRL.Models.Tensors;

public sealed unsafe partial class Tensor
{
    /// <summary>A copy on <paramref name="device"/> (this tensor itself is not changed).</summary>
    public Tensor To(Device device, bool nonBlocking = false) =>
        new(LibTorch.atr_to_device(Handle, (int)device.Type, device.Index, nonBlocking ? 1 : 0));

    /// <summary>A copy on the device named <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
    public Tensor To(string device) => To(Device.Parse(device));

    /// <summary>A copy converted to <paramref name="dtype"/>.</summary>
    public Tensor To(ScalarType dtype) => new(LibTorch.atr_to_dtype(Handle, (int)dtype));

    /// <summary>A copy that shares nothing with this tensor.</summary>
    public Tensor Clone() => new(LibTorch.atr_clone(Handle));

    /// <summary>This tensor's elements in dense row-major layout (a new handle either way).</summary>
    public Tensor Contiguous() => new(LibTorch.atr_contiguous(Handle));

    /// <summary>A view with another shape over the same storage; one dimension may be -1.</summary>
    public Tensor View(params ReadOnlySpan<long> shape)
    {
        fixed (long* s = shape) return new(LibTorch.atr_view(Handle, s, shape.Length));
    }

    /// <summary>Like <see cref="View"/>, copying when the layout does not allow a view.</summary>
    public Tensor Reshape(params ReadOnlySpan<long> shape)
    {
        fixed (long* s = shape) return new(LibTorch.atr_reshape(Handle, s, shape.Length));
    }

    /// <summary>Swaps two dimensions (a view).</summary>
    public Tensor Transpose(long dim0, long dim1) => new(LibTorch.atr_transpose(Handle, dim0, dim1));

    /// <summary>Reorders the dimensions (a view).</summary>
    public Tensor Permute(params ReadOnlySpan<long> order)
    {
        fixed (long* s = order) return new(LibTorch.atr_permute(Handle, s, order.Length));
    }

    /// <summary>Removes a dimension of size 1.</summary>
    public Tensor Squeeze(long dim) => new(LibTorch.atr_squeeze(Handle, dim));

    /// <summary>Inserts a dimension of size 1.</summary>
    public Tensor Unsqueeze(long dim) => new(LibTorch.atr_unsqueeze(Handle, dim));

    /// <summary>Broadcasts dimensions of size 1 to <paramref name="shape"/> (a view); -1 keeps a size.</summary>
    public Tensor Expand(params ReadOnlySpan<long> shape)
    {
        fixed (long* s = shape) return new(LibTorch.atr_expand(Handle, s, shape.Length));
    }

    /// <summary>Merges dimensions start..end into one.</summary>
    public Tensor Flatten(long startDim = 0, long endDim = -1) => new(LibTorch.atr_flatten(Handle, startDim, endDim));

    /// <summary>The elements start..start+length-1 of one dimension (a view).</summary>
    public Tensor Narrow(long dim, long start, long length) => new(LibTorch.atr_narrow(Handle, dim, start, length));

    /// <summary>One index of one dimension, which disappears (a view).</summary>
    public Tensor Select(long dim, long index) => new(LibTorch.atr_select(Handle, dim, index));

    /// <summary>Every step-th element of [start, end) along one dimension (a view).</summary>
    public Tensor Slice(long dim, long start, long end, long step = 1) => new(LibTorch.atr_slice(Handle, dim, start, end, step));

    /// <summary>The entries at <paramref name="index"/> (int64) along one dimension.</summary>
    public Tensor IndexSelect(long dim, Tensor index) => new(LibTorch.atr_index_select(Handle, dim, index.Handle));

    /// <summary>out[i][j] = this[i][index[i][j]] along <paramref name="dim"/> (and likewise in other ranks).</summary>
    public Tensor Gather(long dim, Tensor index) => new(LibTorch.atr_gather(Handle, dim, index.Handle));

    /// <summary>A copy with <paramref name="source"/>'s values written at <paramref name="index"/> along <paramref name="dim"/>.</summary>
    public Tensor Scatter(long dim, Tensor index, Tensor source) => new(LibTorch.atr_scatter(Handle, dim, index.Handle, source.Handle));

    /// <summary>A copy with <paramref name="source"/>'s values added at <paramref name="index"/> along <paramref name="dim"/>.</summary>
    public Tensor ScatterAdd(long dim, Tensor index, Tensor source) => new(LibTorch.atr_scatter_add(Handle, dim, index.Handle, source.Handle));

    /// <summary>A copy with <paramref name="value"/> wherever the boolean <paramref name="mask"/> is true.</summary>
    public Tensor MaskedFill(Tensor mask, double value) => new(LibTorch.atr_masked_fill(Handle, mask.Handle, value));

    /// <summary>The lower triangle (elements with column - row &lt;= diagonal); the rest zero.</summary>
    public Tensor Tril(long diagonal = 0) => new(LibTorch.atr_tril(Handle, diagonal));

    /// <summary>The upper triangle (elements with column - row &gt;= diagonal); the rest zero.</summary>
    public Tensor Triu(long diagonal = 0) => new(LibTorch.atr_triu(Handle, diagonal));
}

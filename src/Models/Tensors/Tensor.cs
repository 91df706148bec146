using System.Runtime.InteropServices;

namespace ActorRL.Models.Tensors;

/// <summary>
/// An n-dimensional array in libtorch, owned through a native handle. Dispose it, or create it
/// inside a <see cref="DisposeScope"/>, to free its memory deterministically; the finalizer of the
/// handle is only a safety net. Using a disposed tensor throws <see cref="ObjectDisposedException"/>;
/// an operation libtorch rejects (shape mismatch, wrong dtype) throws <see cref="TorchException"/>.
/// </summary>
public sealed partial class Tensor : IDisposable
{
    private readonly TensorHandle handle;

    internal Tensor(TensorHandle handle)
    {
        if (handle.IsInvalid)
        {
            handle.Dispose();
            throw TorchException.FromNative();
        }
        this.handle = handle;
        DisposeScope.Register(this);
    }

    internal TensorHandle Handle
    {
        get
        {
            ObjectDisposedException.ThrowIf(handle.IsClosed, this);
            return handle;
        }
    }

    /// <summary>Whether <see cref="Dispose"/> has been called.</summary>
    public bool IsDisposed => handle.IsClosed;

    /// <summary>Frees the native tensor (libtorch keeps the storage while views or autograd still use it).</summary>
    public void Dispose() => handle.Dispose();

    /// <summary>Number of dimensions.</summary>
    public int Dim => LibTorch.atr_ndim(Handle);

    /// <summary>Size of each dimension.</summary>
    public unsafe long[] Shape
    {
        get
        {
            var h = Handle;
            var shape = new long[LibTorch.atr_ndim(h)];
            fixed (long* p = shape) LibTorch.atr_shape(h, p);
            return shape;
        }
    }

    /// <summary>Size of one dimension (negative counts from the end).</summary>
    public long Size(long dim)
    {
        TorchException.Check(LibTorch.atr_size(Handle, dim, out long size));
        return size;
    }

    /// <summary>Total number of elements.</summary>
    public long NumberOfElements => LibTorch.atr_numel(Handle);

    /// <summary>Element type.</summary>
    public ScalarType DType => (ScalarType)LibTorch.atr_dtype(Handle);

    /// <summary>Where the elements live.</summary>
    public Device Device
    {
        get
        {
            var h = Handle;
            var type = (DeviceType)LibTorch.atr_device_type(h);
            return new Device(type, type == DeviceType.Cpu ? -1 : LibTorch.atr_device_index(h));
        }
    }

    /// <summary>Whether the elements are laid out densely in row-major order.</summary>
    public bool IsContiguous => LibTorch.atr_is_contiguous(Handle) != 0;

    /// <summary>The value of a one-element tensor, widened to double.</summary>
    public double ToDouble()
    {
        TorchException.Check(LibTorch.atr_item(Handle, out double value));
        return value;
    }

    /// <summary>The value of a one-element tensor, as float.</summary>
    public float ToSingle() => (float)ToDouble();

    /// <summary>The value of a one-element integer tensor.</summary>
    public long ToInt64() => checked((long)ToDouble());

    /// <summary>
    /// Copies all elements, in row-major order, into <paramref name="destination"/>, whose
    /// element type must match <see cref="DType"/> and whose length must equal the element count.
    /// </summary>
    public unsafe void CopyTo<T>(Span<T> destination) where T : unmanaged
    {
        var h = Handle;
        ScalarType expected = ScalarTypes.Of<T>();
        ScalarType actual = (ScalarType)LibTorch.atr_dtype(h);
        if (expected != actual)
        {
            throw new ArgumentException($"the tensor holds {actual} elements, not {typeof(T).Name} ({expected})", nameof(destination));
        }
        fixed (T* p = destination)
        {
            TorchException.Check(LibTorch.atr_copy_to(h, p, (long)destination.Length * sizeof(T)));
        }
    }

    /// <summary>Copies the raw little-endian bytes of all elements (row-major) into <paramref name="destination"/>,
    /// whose length must be <see cref="NumberOfElements"/> times the element size.</summary>
    public unsafe void CopyBytesTo(Span<byte> destination)
    {
        fixed (byte* p = destination)
        {
            TorchException.Check(LibTorch.atr_copy_to(Handle, p, destination.Length));
        }
    }

    /// <summary>Size in bytes of all elements.</summary>
    public long ByteCount => NumberOfElements * DType.ElementSize();

    /// <summary>Copies all elements, in row-major order, into a new array.</summary>
    public T[] ToArray<T>() where T : unmanaged
    {
        var data = new T[NumberOfElements];
        CopyTo<T>(data);
        return data;
    }

    /// <inheritdoc/>
    public override string ToString() =>
        IsDisposed ? "Tensor(disposed)" : $"Tensor([{string.Join(", ", Shape)}], {DType}, {Device})";

    internal static TensorHandle UndefinedHandle { get; } = LibTorch.atr_undefined();

    internal static TensorHandle HandleOrUndefined(Tensor? t) => t is null ? UndefinedHandle : t.Handle;

    /// <summary>Runs <paramref name="call"/> with the raw pointers of <paramref name="tensors"/>, kept alive throughout.</summary>
    internal static unsafe TResult WithHandles<TResult>(ReadOnlySpan<Tensor> tensors, Func<nint[], TResult> call)
    {
        var handles = new TensorHandle[tensors.Length];
        var pointers = new nint[tensors.Length];
        int added = 0;
        try
        {
            for (; added < tensors.Length; added++)
            {
                handles[added] = tensors[added].Handle;
                bool ok = false;
                handles[added].DangerousAddRef(ref ok);
                pointers[added] = handles[added].DangerousGetHandle();
            }
            return call(pointers);
        }
        finally
        {
            for (int i = 0; i < added; i++) handles[i].DangerousRelease();
        }
    }
}

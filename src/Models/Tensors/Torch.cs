using System.Runtime.InteropServices;

namespace ActorRL.Models.Tensors;

/// <summary>Tensor creation and the functions that take several tensors, in libtorch's vocabulary.</summary>
public static unsafe class Torch
{
    /// <summary>A tensor holding a copy of <paramref name="data"/>, reshaped to <paramref name="shape"/>.</summary>
    /// <param name="data">Elements in row-major order; float, double, long, int, bool, <see cref="BFloat16"/> and others.</param>
    /// <param name="shape">Dimensions whose product is the length of <paramref name="data"/>.</param>
    /// <param name="device">Where to place the copy (CPU by default).</param>
    /// <param name="requiresGrad">Whether autograd tracks the new leaf.</param>
    public static Tensor From<T>(ReadOnlySpan<T> data, ReadOnlySpan<long> shape, Device? device = null, bool requiresGrad = false)
        where T : unmanaged
    {
        long count = 1;
        foreach (long d in shape) count *= d;
        if (count != data.Length)
        {
            throw new ArgumentException($"{data.Length} elements do not fill the shape [{string.Join(", ", shape.ToArray())}] ({count} elements)", nameof(shape));
        }
        Device dev = device ?? Device.Cpu;
        fixed (T* p = data)
        fixed (long* s = shape)
        {
            return new Tensor(LibTorch.atr_from_data(p, (int)ScalarTypes.Of<T>(), s, shape.Length, (int)dev.Type, dev.Index, requiresGrad ? 1 : 0));
        }
    }

    /// <summary>A tensor of <paramref name="dtype"/> from raw little-endian element bytes in row-major order.</summary>
    public static Tensor FromBytes(ReadOnlySpan<byte> data, ScalarType dtype, ReadOnlySpan<long> shape, Device? device = null, bool requiresGrad = false)
    {
        long count = 1;
        foreach (long d in shape) count *= d;
        if (count * dtype.ElementSize() != data.Length)
        {
            throw new ArgumentException($"{data.Length} bytes do not hold [{string.Join(", ", shape.ToArray())}] {dtype} elements ({count * dtype.ElementSize()} bytes)", nameof(data));
        }
        Device dev = device ?? Device.Cpu;
        fixed (byte* p = data)
        fixed (long* s = shape)
        {
            return new Tensor(LibTorch.atr_from_data(p, (int)dtype, s, shape.Length, (int)dev.Type, dev.Index, requiresGrad ? 1 : 0));
        }
    }

    /// <summary>A one-dimensional tensor holding a copy of <paramref name="data"/>.</summary>
    public static Tensor From<T>(ReadOnlySpan<T> data, Device? device = null, bool requiresGrad = false) where T : unmanaged =>
        From(data, [data.Length], device, requiresGrad);

    /// <summary>A zero-dimensional tensor holding one value.</summary>
    public static Tensor Scalar<T>(T value, Device? device = null) where T : unmanaged =>
        From(new ReadOnlySpan<T>(ref value), [], device);

    /// <summary>A tensor filled with zeros.</summary>
    public static Tensor Zeros(ReadOnlySpan<long> shape, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requiresGrad = false)
    {
        Device dev = device ?? Device.Cpu;
        fixed (long* s = shape) return new Tensor(LibTorch.atr_zeros(s, shape.Length, (int)dtype, (int)dev.Type, dev.Index, requiresGrad ? 1 : 0));
    }

    /// <summary>A tensor filled with ones.</summary>
    public static Tensor Ones(ReadOnlySpan<long> shape, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requiresGrad = false)
    {
        Device dev = device ?? Device.Cpu;
        fixed (long* s = shape) return new Tensor(LibTorch.atr_ones(s, shape.Length, (int)dtype, (int)dev.Type, dev.Index, requiresGrad ? 1 : 0));
    }

    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public static Tensor Full(ReadOnlySpan<long> shape, double value, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requiresGrad = false)
    {
        Device dev = device ?? Device.Cpu;
        fixed (long* s = shape) return new Tensor(LibTorch.atr_full(s, shape.Length, value, (int)dtype, (int)dev.Type, dev.Index, requiresGrad ? 1 : 0));
    }

    /// <summary>The values start, start + step, ... below end.</summary>
    public static Tensor Arange(double start, double end, double step = 1, ScalarType dtype = ScalarType.Int64, Device? device = null)
    {
        Device dev = device ?? Device.Cpu;
        return new Tensor(LibTorch.atr_arange(start, end, step, (int)dtype, (int)dev.Type, dev.Index));
    }

    /// <summary>The values 0, 1, ..., end - 1.</summary>
    public static Tensor Arange(long end, ScalarType dtype = ScalarType.Int64, Device? device = null) => Arange(0, end, 1, dtype, device);

    /// <summary>Standard normal samples from the default generator.</summary>
    public static Tensor Randn(ReadOnlySpan<long> shape, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requiresGrad = false)
    {
        Device dev = device ?? Device.Cpu;
        fixed (long* s = shape) return new Tensor(LibTorch.atr_randn(s, shape.Length, (int)dtype, (int)dev.Type, dev.Index, requiresGrad ? 1 : 0));
    }

    /// <summary>Uniform samples in [0, 1) from the default generator.</summary>
    public static Tensor Rand(ReadOnlySpan<long> shape, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        Device dev = device ?? Device.Cpu;
        fixed (long* s = shape) return new Tensor(LibTorch.atr_rand(s, shape.Length, (int)dtype, (int)dev.Type, dev.Index));
    }

    /// <summary>Uniform integers in [low, high) from the default generator.</summary>
    public static Tensor Randint(long low, long high, ReadOnlySpan<long> shape, ScalarType dtype = ScalarType.Int64, Device? device = null)
    {
        Device dev = device ?? Device.Cpu;
        fixed (long* s = shape) return new Tensor(LibTorch.atr_randint(low, high, s, shape.Length, (int)dtype, (int)dev.Type, dev.Index));
    }

    /// <summary>Joins tensors along an existing dimension.</summary>
    public static Tensor Cat(ReadOnlySpan<Tensor> tensors, long dim = 0) =>
        Tensor.WithHandles(tensors, p => { fixed (nint* pp = p) return new Tensor(LibTorch.atr_cat(pp, p.Length, dim)); });

    /// <summary>Joins same-shaped tensors along a new dimension.</summary>
    public static Tensor Stack(ReadOnlySpan<Tensor> tensors, long dim = 0) =>
        Tensor.WithHandles(tensors, p => { fixed (nint* pp = p) return new Tensor(LibTorch.atr_stack(pp, p.Length, dim)); });

    /// <summary>Elements of <paramref name="a"/> where <paramref name="condition"/> holds, else of <paramref name="b"/>.</summary>
    public static Tensor Where(Tensor condition, Tensor a, Tensor b) =>
        new(LibTorch.atr_where(condition.Handle, a.Handle, b.Handle));

    /// <summary>Scales the gradients of <paramref name="parameters"/> so that their global norm is at most <paramref name="maxNorm"/>.</summary>
    /// <returns>The norm before clipping.</returns>
    public static double ClipGradNorm(ReadOnlySpan<Tensor> parameters, double maxNorm, double normType = 2.0) =>
        Tensor.WithHandles(parameters, p =>
        {
            fixed (nint* pp = p)
            {
                TorchException.Check(LibTorch.atr_clip_grad_norm(pp, p.Length, maxNorm, normType, out double norm));
                return norm;
            }
        });

    /// <summary>The libtorch version the shim was built against.</summary>
    public static string Version => Marshal.PtrToStringUTF8(LibTorch.atr_version())!;

    /// <summary>libtorch's build configuration (compiler, BLAS, CPU capabilities, CUDA).</summary>
    public static string BuildConfig => Marshal.PtrToStringUTF8(LibTorch.atr_show_config())!;

    /// <summary>libtorch's report of its thread pools and OpenMP/MKL settings.</summary>
    public static string ParallelInfo => Marshal.PtrToStringUTF8(LibTorch.atr_parallel_info())!;

    /// <summary>
    /// Threads libtorch uses for intra-op parallelism. With OpenMP (Debian's build) the setting
    /// takes effect on the calling thread and on threads that first use libtorch afterwards; a
    /// thread that already ran libtorch work keeps its count. Set it before any tensor work, or
    /// on the thread that runs the model, and keep a model's work on one thread. Setting it also sizes
    /// OpenBLAS's own thread pool, when OpenBLAS is the BLAS in use.
    /// </summary>
    public static int Threads
    {
        get => LibTorch.atr_get_num_threads();
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            TorchException.Check(LibTorch.atr_set_num_threads(value));
        }
    }

    /// <summary>Whether a CUDA device can be used.</summary>
    public static bool CudaIsAvailable => LibTorch.atr_cuda_is_available() != 0;

    /// <summary>Number of CUDA devices visible.</summary>
    public static int CudaDeviceCount => LibTorch.atr_cuda_device_count();

    /// <summary>Waits for all queued work on a CUDA device (the current one by default).</summary>
    public static void CudaSynchronize(int deviceIndex = -1) => TorchException.Check(LibTorch.atr_cuda_synchronize(deviceIndex));
}

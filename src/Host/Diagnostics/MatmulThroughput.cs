using System.Diagnostics;
using ActorRL.Models.Tensors;

namespace ActorRL.Host.Diagnostics;

/// <summary>Measured speed of a float32 square matrix product on one device.</summary>
/// <param name="Device">Where it ran.</param>
/// <param name="Size">n, for n×n times n×n.</param>
/// <param name="Repetitions">Timed products (after warm-up).</param>
/// <param name="MedianMs">Median time of one product.</param>
/// <param name="Gflops">2n³ / median time, in 10⁹ floating-point operations per second.</param>
public sealed record MatmulThroughput(string Device, int Size, int Repetitions, double MedianMs, double Gflops)
{
    private const int WarmupRepetitions = 2;
    private const int MaxRepetitions = 10;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Times n×n products on <paramref name="device"/>: warm-up, then up to ten timed products or
    /// about one second, whichever comes first (so that a slow reference BLAS still answers quickly).
    /// </summary>
    public static MatmulThroughput Measure(Device device, int size = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        using var scope = new DisposeScope();
        using var noGrad = NoGradScope.Enter();
        Tensor a = Torch.Randn([size, size], device: device);
        Tensor b = Torch.Randn([size, size], device: device);
        for (int i = 0; i < WarmupRepetitions; i++) TimeOne(a, b, device);

        var times = new List<double>();
        long start = Stopwatch.GetTimestamp();
        while (times.Count < MaxRepetitions && (times.Count == 0 || Stopwatch.GetElapsedTime(start) < Budget))
        {
            times.Add(TimeOne(a, b, device));
        }
        double medianMs = Statistics.Median(times);
        double gflops = 2.0 * size * size * size / (medianMs / 1e3) / 1e9;
        return new MatmulThroughput(device.ToString(), size, times.Count, medianMs, gflops);
    }

    private static double TimeOne(Tensor a, Tensor b, Device device)
    {
        Synchronize(device);
        long start = Stopwatch.GetTimestamp();
        using (new DisposeScope())
        {
            a.MatMul(b);
            // CUDA launches are asynchronous: the product is done only when the device says so.
            Synchronize(device);
        }
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    private static void Synchronize(Device device)
    {
        if (device.Type == DeviceType.Cuda) Torch.CudaSynchronize(device.Index);
    }
}

using System.Globalization;
using ActorRL.Host.Hosting;
using ActorRL.Models.Tensors;

namespace ActorRL.Host.Diagnostics;

/// <summary>What <c>actorrl doctor</c> found out about libtorch on this machine.</summary>
/// <param name="Timestamp">When, in UTC (ISO 8601).</param>
/// <param name="Machine">Processor, cores, operating system, runtime.</param>
/// <param name="LibtorchVersion">The libtorch the shim was built against.</param>
/// <param name="BlasBuildConfig">The BLAS libtorch's build configuration names (its BLAS_INFO), or null.</param>
/// <param name="BlasLoaded">The BLAS libraries actually mapped into the process after a matrix product.</param>
/// <param name="Threads">libtorch's intra-op thread count.</param>
/// <param name="ConfiguredDevice">The device the configuration asks for.</param>
/// <param name="CudaAvailable">Whether libtorch can use a CUDA device.</param>
/// <param name="CudaDeviceCount">CUDA devices visible.</param>
/// <param name="Matmul">Measured matrix-product speed on the CPU and on each CUDA device.</param>
/// <param name="Warnings">Problems worth fixing, each with what to do.</param>
public sealed record DoctorReport(
    string Timestamp,
    MachineInfo Machine,
    string LibtorchVersion,
    string? BlasBuildConfig,
    IReadOnlyList<BlasLibrary> BlasLoaded,
    int Threads,
    string ConfiguredDevice,
    bool CudaAvailable,
    int CudaDeviceCount,
    IReadOnlyList<MatmulThroughput> Matmul,
    IReadOnlyList<string> Warnings)
{
    /// <summary>Inspects libtorch and measures matrix products; takes a second or two per device.</summary>
    public static DoctorReport Collect(TorchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        bool cuda = Torch.CudaIsAvailable;
        int cudaDevices = cuda ? Torch.CudaDeviceCount : 0;

        // The CPU product comes first: it is what makes libtorch load its BLAS.
        var matmul = new List<MatmulThroughput> { MatmulThroughput.Measure(Device.Cpu) };
        for (int i = 0; i < cudaDevices; i++) matmul.Add(MatmulThroughput.Measure(new Device(DeviceType.Cuda, i)));

        string? blasBuild = BlasLibrary.FromBuildConfig(Torch.BuildConfig);
        IReadOnlyList<BlasLibrary> blasLoaded = BlasLibrary.Loaded();
        var warnings = new List<string>();
        foreach (BlasLibrary lib in blasLoaded.Where(l => l.Kind == BlasKind.Reference))
        {
            warnings.Add($"the reference BLAS ({lib.ResolvedPath}) is in use: matrix products are 10 to 30 times slower "
                + "than with OpenBLAS; install libopenblas0-pthread (apt-get install -y libopenblas0-pthread), or if it is "
                + "installed, point libblas.so.3 at it (update-alternatives --config libblas.so.3-x86_64-linux-gnu)");
        }
        if (blasLoaded.Count == 0 && blasBuild is not null && blasBuild != "mkl")
        {
            warnings.Add($"libtorch was built with BLAS '{blasBuild}' but no BLAS library is mapped into the process");
        }
        if (Device.Parse(options.Device).Type == DeviceType.Cuda && !cuda)
        {
            warnings.Add($"torch.device is '{options.Device}' but CUDA is not available: this libtorch is a CPU build "
                + "or no GPU is visible; rebuild the shim against a CUDA libtorch (dotnet build -p:TorchDir=...)");
        }

        return new DoctorReport(
            DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            MachineInfo.Current(),
            Torch.Version,
            blasBuild,
            blasLoaded,
            Torch.Threads,
            options.Device,
            cuda,
            cudaDevices,
            matmul,
            warnings);
    }
}

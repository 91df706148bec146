using ActorRL.Host.Diagnostics;

namespace ActorRL.Host.Bench;

/// <summary>The result of <c>actorrl bench torch</c>, as written to its JSON file.</summary>
/// <param name="Timestamp">When the run finished, in UTC (ISO 8601).</param>
/// <param name="Machine">Processor, cores, operating system, runtime.</param>
/// <param name="Blas">The BLAS libraries mapped into this process (resolved paths).</param>
/// <param name="LibtorchVersion">The libtorch the C# binding and the C++ program use.</param>
/// <param name="PythonTorchVersion">The PyTorch the Python program uses.</param>
/// <param name="Settings">Threads, warm-up, steps and rounds.</param>
/// <param name="Programs">Per program (<c>mlp</c>, <c>block</c>): medians, ratios and every sample.</param>
/// <param name="Ratios">Geometric means of the per-program ratios.</param>
public sealed record TorchBenchReport(
    string Timestamp,
    MachineInfo Machine,
    IReadOnlyList<string> Blas,
    string LibtorchVersion,
    string PythonTorchVersion,
    BenchSettings Settings,
    IReadOnlyDictionary<string, ProgramResult> Programs,
    BenchRatios Ratios);

/// <summary>One program's figures.</summary>
/// <param name="MedianMs">Median step time per implementation (<c>csharp</c>, <c>cpp</c>, <c>python</c>).</param>
/// <param name="CsharpOverCpp">C# median / C++ median: the binding's overhead (1.0 = none).</param>
/// <param name="CsharpOverPython">C# median / Python median (below 1.0: C# is faster).</param>
/// <param name="SamplesMs">Every timed step per implementation, pooled over the rounds.</param>
public sealed record ProgramResult(
    IReadOnlyDictionary<string, double> MedianMs,
    double CsharpOverCpp,
    double CsharpOverPython,
    IReadOnlyDictionary<string, IReadOnlyList<double>> SamplesMs);

/// <summary>Ratios over both programs (geometric means).</summary>
/// <param name="CsharpOverCpp">C# time / C++ time.</param>
/// <param name="CsharpOverPython">C# time / Python time.</param>
public sealed record BenchRatios(double CsharpOverCpp, double CsharpOverPython);

using System.Globalization;
using ActorRL.Host.Diagnostics;
using ActorRL.Models.Tensors;

namespace ActorRL.Host.Bench;

/// <summary>
/// <c>actorrl bench torch</c>: the same two training steps in C# (through the binding), in C++
/// (directly against libtorch) and in Python (PyTorch), run in turn with the same thread count,
/// reported as medians and ratios.
/// </summary>
public static class TorchBench
{
    /// <summary>Key of the C# implementation in results.</summary>
    public const string CSharp = "csharp";

    /// <summary>Key of the C++ implementation in results.</summary>
    public const string Cpp = "cpp";

    /// <summary>Key of the Python implementation in results.</summary>
    public const string Python = "python";

    /// <summary>
    /// Runs every implementation once per round and pools the step times per implementation.
    /// Each round starts with the next implementation in turn, so that drift over the run
    /// (turbo, other load on a shared machine) is spread over all of them.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, StepTimes>> RunAsync(IReadOnlyList<IStepTimer> timers,
        BenchSettings settings, IBenchProgress? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timers);
        ArgumentNullException.ThrowIfNull(settings);
        var mlp = timers.ToDictionary(t => t.Key, _ => new List<double>());
        var block = timers.ToDictionary(t => t.Key, _ => new List<double>());
        for (int round = 0; round < settings.Rounds; round++)
        {
            for (int i = 0; i < timers.Count; i++)
            {
                IStepTimer timer = timers[(round + i) % timers.Count];
                progress?.Starting(timer, round);
                StepTimes times = await timer.MeasureAsync(settings, cancellationToken);
                mlp[timer.Key].AddRange(times.Mlp);
                block[timer.Key].AddRange(times.Block);
                progress?.Finished(timer, round);
            }
        }
        return timers.ToDictionary(t => t.Key, t => new StepTimes(mlp[t.Key], block[t.Key]));
    }

    /// <summary>Medians per implementation and program, the ratios, and the machine they were measured on.</summary>
    public static TorchBenchReport Summarize(IReadOnlyDictionary<string, StepTimes> pooled, BenchSettings settings,
        string pythonTorchVersion)
    {
        ArgumentNullException.ThrowIfNull(pooled);
        var programs = new Dictionary<string, ProgramResult>
        {
            ["mlp"] = Result(pooled, t => t.Mlp),
            ["block"] = Result(pooled, t => t.Block),
        };
        var ratios = new BenchRatios(
            Statistics.GeometricMean(programs.Values.Select(p => p.CsharpOverCpp).ToList()),
            Statistics.GeometricMean(programs.Values.Select(p => p.CsharpOverPython).ToList()));
        return new TorchBenchReport(
            DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            MachineInfo.Current(),
            BlasLibrary.Loaded().Select(b => b.ResolvedPath).Distinct().ToList(),
            Torch.Version,
            pythonTorchVersion,
            settings,
            programs,
            ratios);
    }

    private static ProgramResult Result(IReadOnlyDictionary<string, StepTimes> pooled, Func<StepTimes, IReadOnlyList<double>> program)
    {
        var samples = pooled.ToDictionary(kv => kv.Key, kv => program(kv.Value));
        var medians = samples.ToDictionary(kv => kv.Key, kv => Statistics.Median(kv.Value));
        return new ProgramResult(medians, medians[CSharp] / medians[Cpp], medians[CSharp] / medians[Python], samples);
    }
}

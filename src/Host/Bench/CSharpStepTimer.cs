using System.Diagnostics;
using ActorRL.Models.Tensors;

namespace ActorRL.Host.Bench;

/// <summary>The programs in C# through the ActorRL binding, timed in this process.</summary>
/// <remarks>
/// Every run executes on one dedicated thread. Run from whichever thread-pool thread an await
/// resumes on, each run would start another OpenMP thread team; libgomp then manages more threads
/// than there are cores and stops spin-waiting, which on a small machine made C# look 25% faster
/// than C++ at two threads: a difference of setup, not of the binding.
/// </remarks>
public sealed class CSharpStepTimer : IStepTimer, IDisposable
{
    private readonly BenchThread thread = new("actorrl bench (C#)");

    /// <inheritdoc/>
    public string Key => TorchBench.CSharp;

    /// <inheritdoc/>
    public string Title => "C#";

    /// <inheritdoc/>
    public string Description => "ActorRL binding, in process";

    /// <inheritdoc/>
    public Task<StepTimes> MeasureAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return thread.RunAsync(() =>
        {
            // The thread count is an OpenMP setting of the calling thread: set it where the steps run.
            Torch.Threads = settings.Threads;
            TorchRandom.ManualSeed(0);
            double[] mlp = Measure<MlpStep>(settings, cancellationToken);
            double[] block = Measure<BlockStep>(settings, cancellationToken);
            return new StepTimes(mlp, block);
        });
    }

    /// <summary>Ends the measuring thread.</summary>
    public void Dispose() => thread.Dispose();

    // Each step opens and closes its own dispose scope on this thread, as the C++ frees at scope exit.
    private static double[] Measure<TStep>(BenchSettings settings, CancellationToken cancellationToken)
        where TStep : ITrainingStep, new()
    {
        using var step = new TStep();
        var times = new double[settings.Steps];
        for (int i = 0; i < settings.Warmup + settings.Steps; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long start = Stopwatch.GetTimestamp();
            step.Run();
            double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (i >= settings.Warmup) times[i - settings.Warmup] = ms;
        }
        return times;
    }
}

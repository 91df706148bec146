using System.Diagnostics;
using ActorRL.Models.Checkpoints;
using ActorRL.Models.Inference;
using ActorRL.Models.Nn;
using ActorRL.Models.Tensors;
using ActorRL.Models.Training;

namespace ActorRL.Host.Bench.Model;

/// <summary>
/// The work through ActorRL's own API, timed in this process: <see cref="SftTrainer.TrainStep"/> and
/// <see cref="Generator.Generate"/>. Like <see cref="CSharpStepTimer"/>, everything runs on one dedicated
/// thread with the thread count set on it, because libtorch's OpenMP settings belong to the calling thread.
/// </summary>
public sealed class CSharpModelRunner : IModelRunner, IDisposable
{
    private readonly BenchThread thread = new("actorrl bench model (C#)");
    private readonly ModelBenchWorkload workload;
    private readonly ModelBenchSettings settings;
    private readonly string weightsPath;

    /// <summary>Creates the runner; <see cref="SaveModelAsync"/> must write the weights before the first run.</summary>
    public CSharpModelRunner(ModelBenchWorkload workload, ModelBenchSettings settings, string weightsPath)
    {
        this.workload = workload ?? throw new ArgumentNullException(nameof(workload));
        this.settings = settings ?? throw new ArgumentNullException(nameof(settings));
        this.weightsPath = weightsPath ?? throw new ArgumentNullException(nameof(weightsPath));
    }

    /// <inheritdoc/>
    public string Key => ModelBench.CSharp;

    /// <inheritdoc/>
    public string Title => "C#";

    /// <inheritdoc/>
    public string Description => "ActorRL SftTrainer and Generator, in process";

    /// <summary>Creates the model from the workload's seed, writes its weights, and describes it and its trainer.</summary>
    public Task<SavedModel> SaveModelAsync() => thread.RunAsync(() =>
    {
        Torch.Threads = settings.Threads;
        TorchRandom.ManualSeed((ulong)workload.Seed);
        using var model = new CausalLM(workload.Config);
        Safetensors.Write(weightsPath, model.NamedParameters().ToDictionary(p => p.Name, p => p.Tensor));
        using var trainer = new SftTrainer(model, workload.Sft, ModelBenchWorkload.PadId);
        IReadOnlyList<ParamGroup> groups = trainer.Optimizer.Groups;
        // The Python step builds the same two groups by dimension; make sure that is still what the trainer does.
        if (groups.Count != 2 || groups[1].WeightDecay != 0 || groups[0].Parameters.Any(p => p.Dim < 2))
        {
            throw new InvalidOperationException("SftTrainer no longer uses two AdamW groups (matrices with decay, the rest without); update model_bench.py");
        }
        ParamGroup decay = groups[0];
        var optimizer = new OptimizerSettings(workload.Sft.Schedule, decay.WeightDecay, workload.Sft.GradClip, decay.Beta1, decay.Beta2, decay.Eps);
        return new SavedModel(weightsPath, model.ParameterCount, optimizer);
    });

    /// <inheritdoc/>
    public Task<ModelRunTimes> RunAsync(int round, IModelBenchProgress? progress, CancellationToken cancellationToken) =>
        thread.RunAsync(() => Run(round, progress, cancellationToken));

    /// <summary>Ends the measuring thread.</summary>
    public void Dispose() => thread.Dispose();

    private ModelRunTimes Run(int round, IModelBenchProgress? progress, CancellationToken cancellationToken)
    {
        Torch.Threads = settings.Threads;
        using var model = new CausalLM(workload.Config);
        using (SafetensorsFile weights = Safetensors.Read(weightsPath)) model.LoadParameters(weights.Tensors);

        progress?.Starting(this, round, "generating with the KV cache");
        var greedy = new GenerationOptions { MaxNewTokens = workload.NewTokens, Temperature = 0 };
        var (generateMs, first) = Generate(model, greedy, settings.GenerateWarmup, settings.GenerateRuns, cancellationToken);
        (double[] noCacheMs, int[]? noCacheTokens) = ([], null);
        if (round < settings.NoCacheRuns)
        {
            progress?.Starting(this, round, "generating without the KV cache");
            (noCacheMs, Completion noCache) = Generate(model, greedy with { UseKvCache = false }, 0, 1, cancellationToken);
            noCacheTokens = noCache.Tokens;
        }

        progress?.Starting(this, round, "training");
        using var trainer = new SftTrainer(model, workload.Sft, ModelBenchWorkload.PadId);
        var trainMs = new double[settings.TrainSteps];
        double firstLoss = double.NaN;
        for (int i = 0; i < settings.TrainWarmup + settings.TrainSteps; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long start = Stopwatch.GetTimestamp();
            double loss = trainer.TrainStep(workload.Train);
            double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (i == 0) firstLoss = loss;
            if (i >= settings.TrainWarmup) trainMs[i - settings.TrainWarmup] = ms;
        }
        return new ModelRunTimes(trainMs, firstLoss, generateMs, first.Tokens, first.LogProbs, noCacheMs, noCacheTokens);
    }

    // Times warm-up plus timed generations; returns the timed milliseconds and the first prompt's completion from the first one.
    private (double[] Ms, Completion First) Generate(CausalLM model, GenerationOptions options, int warmup, int runs,
        CancellationToken cancellationToken)
    {
        var ms = new double[runs];
        Completion? first = null;
        for (int i = 0; i < warmup + runs; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long start = Stopwatch.GetTimestamp();
            IReadOnlyList<Completion> completions = Generator.Generate(model, workload.Prompts, options, ModelBenchWorkload.PadId);
            double elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (i == 0) first = completions[0];
            if (i >= warmup) ms[i - warmup] = elapsed;
        }
        return (ms, first ?? throw new ArgumentOutOfRangeException(nameof(runs), "nothing was generated"));
    }
}

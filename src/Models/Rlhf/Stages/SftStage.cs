using System.Text.Json;
using System.Text.Json.Nodes;
using ActorRL.Models.Checkpoints;
using ActorRL.Models.Nn;
using ActorRL.Models.Tensors;
using ActorRL.Models.Training;

namespace ActorRL.Models.Rlhf.Stages;

/// <summary>
/// Supervised fine-tuning, the first stage: a freshly initialized policy trained on the task's demonstrations with
/// <see cref="SftTrainer"/>. Its checkpoint is the reference π_ref and the start of every later stage and of RL.
/// </summary>
public static class SftStage
{
    /// <summary>The stage's name, in progress reports and its directory.</summary>
    public const string Name = "sft";

    /// <summary>
    /// Runs the stage, or reuses the result of an earlier run with the same inputs (<see cref="StageCache"/>). With 0
    /// steps the initialized model is saved, so later stages always have a checkpoint to start from.
    /// </summary>
    /// <param name="task">The task supplying demonstrations.</param>
    /// <param name="model">The policy's size.</param>
    /// <param name="settings">Steps, examples and the trainer's options.</param>
    /// <param name="seed">Seeds the initialization, the demonstrations and the batch order.</param>
    /// <param name="runDir">The run directory; the result goes under <c>stages/</c>.</param>
    /// <param name="progress">Called after every step with <c>loss</c> and <c>lr</c>.</param>
    /// <param name="ct">Checked between steps; when cancelled nothing is saved and <see cref="OperationCanceledException"/> is thrown.</param>
    /// <param name="warning">Told about a cached result that failed verification (it is trained again).</param>
    /// <param name="device">Where to train; the CPU when null.</param>
    public static StageResult Run(IRlTask task, GptConfig model, SftStageSettings settings, int seed, string runDir,
        Action<StageProgress>? progress, CancellationToken ct, Action<string>? warning = null, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentOutOfRangeException.ThrowIfNegative(settings.Steps);
        string key = StageCache.Key(Name, settings, model, task.Name, seed, upstreamKey: null);
        string dir = StageCache.Directory(runDir, Name, key);
        return StageCache.ReuseOrTrain(Name, dir, warning, target => Train(task, model, settings, seed, key, target, progress, ct, device));
    }

    private static void Train(IRlTask task, GptConfig config, SftStageSettings settings, int seed, string key, string dir,
        Action<StageProgress>? progress, CancellationToken ct, Device? device)
    {
        ct.ThrowIfCancellationRequested();
        TorchRandom.ManualSeed(unchecked((ulong)seed));
        using var policy = new CausalLM(config);
        if (device is { } d) policy.To(d);
        double lastLoss = double.NaN;
        if (settings.Steps > 0)
        {
            IReadOnlyList<SftExample> examples = task.SftExamples(settings.Examples, seed);
            using var trainer = new SftTrainer(policy, settings.Options, task.Tokenizer.Pad);
            using IEnumerator<List<SftExample>> batches = StageBatches.Cycle(examples, settings.Options.BatchSize, seed).GetEnumerator();
            for (int step = 0; step < settings.Steps; step++)
            {
                ct.ThrowIfCancellationRequested();
                batches.MoveNext();
                double lr = settings.Options.Schedule.LearningRate(trainer.Step);
                lastLoss = trainer.TrainStep(batches.Current);
                progress?.Invoke(new StageProgress(Name, step + 1, settings.Steps, new Dictionary<string, double> { ["loss"] = lastLoss, ["lr"] = lr }));
            }
        }
        ct.ThrowIfCancellationRequested();
        StageCache.Save(dir, new CheckpointContents
        {
            Model = policy,
            IncludeRng = false,
            ModelConfig = JsonSerializer.SerializeToNode(config),
            TrainerState = new JsonObject
            {
                ["stage"] = Name,
                ["key"] = key,
                ["task"] = task.Name,
                ["seed"] = seed,
                ["steps"] = settings.Steps,
                ["final_loss"] = double.IsNaN(lastLoss) ? null : lastLoss,
            },
        });
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using ActorRL.Models.Checkpoints;
using ActorRL.Models.Nn;
using ActorRL.Models.Tensors;
using ActorRL.Models.Training;

namespace ActorRL.Models.Rlhf.Stages;

/// <summary>
/// The reward model R: the trunk (initialized from the SFT policy's when there is one) plus a scalar head, regressed
/// with mean squared error onto the task's labelled sequences. Targets are standardized to zero mean and unit standard
/// deviation first, so R's scores come out in standard units; the mean and deviation are kept in <c>trainer.json</c>
/// (<see cref="StageModels.LoadRewardNormalization"/>).
/// </summary>
public static class RewardModelStage
{
    /// <summary>The stage's name, in progress reports and its directory.</summary>
    public const string Name = "reward_model";

    /// <summary>
    /// Runs the stage, or reuses an earlier run's result with the same inputs; null when it is skipped: 0 steps, or a
    /// task without labelled sequences (then <paramref name="warning"/> says so).
    /// </summary>
    /// <param name="task">The task supplying labelled sequences.</param>
    /// <param name="model">The reward model's size (the policy's, so that the SFT trunk fits).</param>
    /// <param name="s">Steps, examples, batch size, learning rate.</param>
    /// <param name="sft">The SFT result whose <c>transformer.*</c> weights start the trunk, or null for a fresh trunk.</param>
    /// <param name="seed">Seeds the head's initialization, the data and the batch order.</param>
    /// <param name="runDir">The run directory; the result goes under <c>stages/</c>.</param>
    /// <param name="progress">Called after every step with <c>loss</c> (MSE in standard units) and <c>lr</c>.</param>
    /// <param name="ct">Checked between steps; when cancelled nothing is saved.</param>
    /// <param name="warning">Told about a cached result that failed verification, or a task without data.</param>
    /// <param name="device">Where to train; the CPU when null.</param>
    public static StageResult? Run(IRlTask task, GptConfig model, RewardModelStageSettings s, StageResult? sft, int seed, string runDir,
        Action<StageProgress>? progress, CancellationToken ct, Action<string>? warning = null, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(s);
        ArgumentOutOfRangeException.ThrowIfNegative(s.Steps);
        if (s.Steps == 0) return null;
        ArgumentOutOfRangeException.ThrowIfLessThan(s.BatchSize, 1);
        string key = StageCache.Key(Name, s, model, task.Name, seed, sft is null ? null : StageCache.KeyOf(sft));
        string dir = StageCache.Directory(runDir, Name, key);
        IReadOnlyList<(int[] Ids, double Target)> examples = task.RewardExamples(s.Examples, seed);
        if (examples.Count == 0)
        {
            warning?.Invoke($"task {task.Name} has no labelled sequences: the reward model stage is skipped");
            return null;
        }
        return StageCache.ReuseOrTrain(Name, dir, warning, target => Train(task, model, s, sft, seed, key, examples, target, progress, ct, device));
    }

    private static void Train(IRlTask task, GptConfig config, RewardModelStageSettings s, StageResult? sft, int seed, string key,
        IReadOnlyList<(int[] Ids, double Target)> examples, string dir, Action<StageProgress>? progress, CancellationToken ct, Device? device)
    {
        ct.ThrowIfCancellationRequested();
        TorchRandom.ManualSeed(unchecked((ulong)seed));
        using var reward = new RewardModel(config);
        if (sft is not null)
        {
            using LoadedCheckpoint loaded = Checkpoint.Load(sft.CheckpointDir);
            StageModels.LoadTrunk(reward, loaded.Weights, sft.CheckpointDir);
        }
        Device where = device ?? Device.Cpu;
        reward.To(where);
        reward.Train();
        var normalization = RewardNormalization.Of([.. examples.Select(e => e.Target)]);
        int pad = task.Tokenizer.Pad;
        double lastLoss = double.NaN;
        using var optimizer = new AdamW(OptimizerGroups.DecayMatricesOnly(reward, s.Lr, s.WeightDecay));
        using IEnumerator<List<(int[] Ids, double Target)>> batches = StageBatches.Cycle(examples, s.BatchSize, seed).GetEnumerator();
        for (int step = 0; step < s.Steps; step++)
        {
            ct.ThrowIfCancellationRequested();
            batches.MoveNext();
            using (var scope = new DisposeScope())
            {
                var (ids, mask, targets) = Collate(batches.Current, normalization, pad, where);
                optimizer.ZeroGrad();
                Tensor loss = (reward.Forward(ids, mask) - targets).Square().Mean();
                loss.Backward();
                if (s.GradClip > 0) Torch.ClipGradNorm([.. reward.Parameters()], s.GradClip);
                optimizer.Step();
                lastLoss = loss.ToDouble();
            }
            progress?.Invoke(new StageProgress(Name, step + 1, s.Steps, new Dictionary<string, double> { ["loss"] = lastLoss, ["lr"] = s.Lr }));
        }
        ct.ThrowIfCancellationRequested();
        StageCache.Save(dir, new CheckpointContents
        {
            Model = reward,
            IncludeRng = false,
            ModelConfig = JsonSerializer.SerializeToNode(config),
            TrainerState = new JsonObject
            {
                ["stage"] = Name,
                ["key"] = key,
                ["task"] = task.Name,
                ["seed"] = seed,
                ["steps"] = s.Steps,
                ["sft"] = sft?.CheckpointDir,
                ["target_mean"] = normalization.Mean,
                ["target_std"] = normalization.Std,
                ["final_loss"] = lastLoss,
            },
        });
    }

    /// <summary>Right-padded ids [B, T], their attention mask and the standardized targets [B].</summary>
    private static (Tensor Ids, Tensor Mask, Tensor Targets) Collate(List<(int[] Ids, double Target)> batch, RewardNormalization normalization,
        int pad, Device device)
    {
        int n = batch.Count, width = batch.Max(e => e.Ids.Length);
        var ids = new long[n * width];
        var mask = new long[n * width];
        var targets = new float[n];
        Array.Fill(ids, pad);
        for (int b = 0; b < n; b++)
        {
            if (batch[b].Ids.Length == 0) throw new ArgumentException("a labelled sequence has no tokens");
            for (int i = 0; i < batch[b].Ids.Length; i++) (ids[b * width + i], mask[b * width + i]) = (batch[b].Ids[i], 1);
            targets[b] = (float)normalization.Normalize(batch[b].Target);
        }
        return (Torch.From<long>(ids, [n, width], device), Torch.From<long>(mask, [n, width], device), Torch.From<float>(targets, [n], device));
    }
}

using ActorRL.Models.Checkpoints;
using ActorRL.Models.Rlhf.Stages;
using ActorRL.Models.Tests.Checkpoints;

namespace ActorRL.Models.Tests.Rlhf.Stages;

public class RewardModelStageTests
{
    [Fact]
    public void RegressionOnStandardizedTargetsLowersTheLossAndRecordsTheNormalization()
    {
        using var root = new TemporaryDirectory();
        var task = new FakeTask();
        var settings = new RewardModelStageSettings(Steps: 150, Examples: 128, BatchSize: 16, Lr: 1e-2);
        var reports = new List<StageProgress>();
        StageResult result = RewardModelStage.Run(task, SftStageTests.Config, settings, sft: null, seed: 4, root.Path, reports.Add, CancellationToken.None)!;

        Assert.Equal("reward_model", result.Stage);
        Assert.Equal(150, reports.Count);
        double early = reports.Take(10).Average(r => r.Metrics["loss"]);
        double late = reports.TakeLast(10).Average(r => r.Metrics["loss"]);
        Assert.True(late < 0.5 * early, $"MSE went from {early} to {late}");

        // The targets' mean and population standard deviation, computed here from the same examples.
        double[] targets = [.. task.RewardExamples(128, 4).Select(e => e.Target)];
        double mean = targets.Sum() / targets.Length;
        double std = Math.Sqrt(targets.Select(t => (t - mean) * (t - mean)).Sum() / targets.Length);
        RewardNormalization normalization = StageModels.LoadRewardNormalization(result.CheckpointDir);
        Assert.Equal(mean, normalization.Mean, 12);
        Assert.Equal(std, normalization.Std, 12);
        Assert.Equal(1.0, normalization.Normalize(mean + std), 12);

        using var model = StageModels.LoadRewardModel(result.CheckpointDir, SftStageTests.Config);
        Assert.Contains(model.NamedParameters(), p => p.Name == "score.weight");
    }

    [Fact]
    public void TheTrunkStartsFromTheSftCheckpoint()
    {
        using var root = new TemporaryDirectory();
        var task = new FakeTask();
        StageResult sft = SftStage.Run(task, SftStageTests.Config, SftStageTests.Settings(5), 2, root.Path, null, CancellationToken.None);
        // One AdamW step moves each weight by about the learning rate, 1e-9 here: the trunk stays the SFT one.
        var settings = new RewardModelStageSettings(Steps: 1, Examples: 16, BatchSize: 4, Lr: 1e-9);
        StageResult result = RewardModelStage.Run(task, SftStageTests.Config, settings, sft, 2, root.Path, null, CancellationToken.None)!;

        using LoadedCheckpoint sftWeights = Checkpoint.Load(sft.CheckpointDir);
        using LoadedCheckpoint rmWeights = Checkpoint.Load(result.CheckpointDir);
        var trunk = rmWeights.Weights.Keys.Where(k => k.StartsWith("transformer.", StringComparison.Ordinal)).ToList();
        Assert.Equal(sftWeights.Weights.Keys.Order(), trunk.Order());
        foreach (string name in trunk)
        {
            float[] want = sftWeights.Weights[name].ToArray<float>(), got = rmWeights.Weights[name].ToArray<float>();
            Assert.All(want.Zip(got), p => Assert.Equal(p.First, p.Second, 1e-6f));
        }
        // The upstream SFT key is part of the reward model's key.
        StageResult other = SftStage.Run(task, SftStageTests.Config, SftStageTests.Settings(6), 2, root.Path, null, CancellationToken.None);
        Assert.NotEqual(result.CheckpointDir, RewardModelStage.Run(task, SftStageTests.Config, settings, other, 2, root.Path, null, CancellationToken.None)!.CheckpointDir);
    }

    [Fact]
    public void ZeroStepsSkipsTheStage()
    {
        using var root = new TemporaryDirectory();
        var settings = new RewardModelStageSettings(Steps: 0, Examples: 16, BatchSize: 4, Lr: 1e-3);
        Assert.Null(RewardModelStage.Run(new FakeTask(), SftStageTests.Config, settings, null, 1, root.Path, null, CancellationToken.None));
        Assert.False(Directory.Exists(Path.Combine(root.Path, StageCache.Folder)));
    }
}

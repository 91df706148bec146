using ActorRL.Models.Checkpoints;
using ActorRL.Models.Nn;
using ActorRL.Models.Rlhf;
using ActorRL.Models.Rlhf.Stages;
using ActorRL.Models.Tensors;
using ActorRL.Models.Tests.Checkpoints;
using ActorRL.Models.Training;

namespace ActorRL.Models.Tests.Rlhf.Stages;

public class SftStageTests
{
    internal static readonly GptConfig Config = new(VocabSize: 260, ContextLength: 32, Layers: 1, Heads: 2, Width: 16);

    internal static SftStageSettings Settings(int steps) =>
        new(steps, Examples: 64, new SftOptions { BatchSize = 8, MicroBatchSize = 8, Schedule = new(2e-2, 2e-3, 2, Math.Max(steps, 2)) });

    [Fact]
    public void TrainingLowersTheLossAndASecondRunReusesTheCheckpoint()
    {
        using var root = new TemporaryDirectory();
        var task = new FakeTask();
        var reports = new List<StageProgress>();
        StageResult first = SftStage.Run(task, Config, Settings(60), seed: 3, root.Path, reports.Add, CancellationToken.None);

        Assert.False(first.Reused);
        Assert.Equal("sft", first.Stage);
        Assert.Equal(60, reports.Count);
        Assert.Equal([.. Enumerable.Range(1, 60).Select(i => (long)i)], reports.Select(r => r.Step));
        // At initialization the next-token distribution is close to uniform over 260 ids: loss ≈ ln 260 = 5.56.
        Assert.InRange(reports[0].Metrics["loss"], 5.56 - 0.3, 5.56 + 0.3);
        Assert.Equal(2e-2 / 2, reports[0].Metrics["lr"], 12); // warm-up step 0 of 2
        Checkpoint.Verify(first.CheckpointDir);

        // Independently of the trainer: the saved model's mean NLL per response token on the demonstrations.
        double nll = MeanResponseNll(StageModels.LoadPolicy(first.CheckpointDir, Config, withValueHead: false), task.SftExamples(64, 3), task.Tokenizer.Pad);
        Assert.True(nll < 0.5, $"mean response NLL {nll} after SFT");

        var again = new List<StageProgress>();
        StageResult second = SftStage.Run(task, Config, Settings(60), seed: 3, root.Path, again.Add, CancellationToken.None);
        Assert.True(second.Reused);
        Assert.Equal(first.CheckpointDir, second.CheckpointDir);
        Assert.Empty(again);
    }

    [Fact]
    public void TheDirectoryIsNamedByAKeyThatEveryInputChanges()
    {
        var task = new FakeTask();
        string key = StageCache.Key("sft", Settings(5), Config, "fake", 1, null);
        Assert.Matches("^[0-9a-f]{16}$", key);
        // Equal values in fresh objects give the same key.
        Assert.Equal(key, StageCache.Key("sft", Settings(5), Config with { }, "fake", 1, null));
        string[] others =
        [
            StageCache.Key("sft", Settings(6), Config, "fake", 1, null),
            StageCache.Key("sft", Settings(5) with { Options = Settings(5).Options with { WeightDecay = 0.2 } }, Config, "fake", 1, null),
            StageCache.Key("sft", Settings(5), Config with { Width = 32 }, "fake", 1, null),
            StageCache.Key("sft", Settings(5), Config, "other", 1, null),
            StageCache.Key("sft", Settings(5), Config, "fake", 2, null),
            StageCache.Key("sft", Settings(5), Config, "fake", 1, "0123456789abcdef"),
            StageCache.Key("dpo", Settings(5), Config, "fake", 1, null),
        ];
        Assert.Equal(others.Length + 1, others.Append(key).Distinct().Count());

        using var root = new TemporaryDirectory();
        StageResult a = SftStage.Run(task, Config, Settings(0), 1, root.Path, null, CancellationToken.None);
        StageResult b = SftStage.Run(task, Config, Settings(1), 1, root.Path, null, CancellationToken.None);
        Assert.Equal(Path.Combine(root.Path, "stages", "sft-" + StageCache.Key("sft", Settings(0), Config, "fake", 1, null)), a.CheckpointDir);
        Assert.NotEqual(a.CheckpointDir, b.CheckpointDir);
        Assert.False(b.Reused);
    }

    [Fact]
    public void ZeroStepsSavesTheSeededInitialization()
    {
        using var root = new TemporaryDirectory();
        StageResult result = SftStage.Run(new FakeTask(), Config, Settings(0), seed: 11, root.Path, null, CancellationToken.None);

        TorchRandom.ManualSeed(11);
        using var expected = new CausalLM(Config);
        using CausalLM loaded = StageModels.LoadPolicy(result.CheckpointDir, Config, withValueHead: false);
        foreach (var ((name, want), (_, got)) in expected.NamedParameters().Zip(loaded.NamedParameters()))
        {
            Assert.True(want.ToArray<float>().AsSpan().SequenceEqual(got.ToArray<float>()), name);
        }
    }

    [Fact]
    public void ACorruptCachedCheckpointIsReportedAndTrainedAgain()
    {
        using var root = new TemporaryDirectory();
        var task = new FakeTask();
        StageResult first = SftStage.Run(task, Config, Settings(2), 5, root.Path, null, CancellationToken.None);
        string weights = Path.Combine(first.CheckpointDir, Checkpoint.ModelFileName);
        byte[] bytes = File.ReadAllBytes(weights);
        bytes[^1] ^= 0xFF;
        File.WriteAllBytes(weights, bytes);

        var warnings = new List<string>();
        var reports = new List<StageProgress>();
        StageResult second = SftStage.Run(task, Config, Settings(2), 5, root.Path, reports.Add, CancellationToken.None, warnings.Add);

        Assert.False(second.Reused);
        Assert.Equal(first.CheckpointDir, second.CheckpointDir);
        Assert.Equal(2, reports.Count);
        string warning = Assert.Single(warnings);
        Assert.Contains(Checkpoint.ModelFileName, warning);
        Checkpoint.Verify(second.CheckpointDir);
    }

    [Fact]
    public void CancellationBetweenStepsLeavesNoCheckpoint()
    {
        using var root = new TemporaryDirectory();
        using var cancel = new CancellationTokenSource();
        void Progress(StageProgress p)
        {
            if (p.Step == 2) cancel.Cancel();
        }

        Assert.ThrowsAny<OperationCanceledException>(() => SftStage.Run(new FakeTask(), Config, Settings(10), 1, root.Path, Progress, cancel.Token));
        string stages = Path.Combine(root.Path, StageCache.Folder);
        Assert.True(!Directory.Exists(stages) || Directory.GetFileSystemEntries(stages).Length == 0);
    }

    /// <summary>Mean −log π(y_t) per response token, from the sequence sums and the token counts.</summary>
    internal static double MeanResponseNll(CausalLM model, IReadOnlyList<SftExample> examples, int pad)
    {
        using (model)
        {
            model.Eval();
            double[] sums = SequenceLogProbs.ComputeValues(model, [.. examples.Select(e => (e.Prompt, e.Response))], pad, 16);
            return -sums.Sum() / examples.Sum(e => e.Response.Length);
        }
    }
}

using ActorRL.Models.Rlhf;
using ActorRL.Models.Rlhf.Stages;
using ActorRL.Models.Tests.Checkpoints;

namespace ActorRL.Models.Tests.Rlhf.Stages;

public class DpoStageTests
{
    [Fact]
    public void DpoRaisesTheImplicitRewardAccuracyAndIsReused()
    {
        using var root = new TemporaryDirectory();
        var task = new FakeTask();
        StageResult sft = SftStage.Run(task, SftStageTests.Config, SftStageTests.Settings(20), 7, root.Path, null, CancellationToken.None);
        var settings = new DpoStageSettings(Steps: 40, Pairs: 32, LabelNoise: 0, BatchSize: 8, Lr: 5e-3, Beta: 0.5);
        var reports = new List<StageProgress>();
        StageResult dpo = DpoStage.Run(task, SftStageTests.Config, settings, sft, 7, root.Path, reports.Add, CancellationToken.None)!;

        Assert.Equal(40, reports.Count);
        // Policy = reference at the first step: every margin is 0, the loss −log σ(0) = ln 2 = 0.693147.
        Assert.Equal(0.693147, reports[0].Metrics["loss"], 5);
        Assert.Equal(0.0, reports[0].Metrics["margin"], 6);

        // Independently: the implicit rewards β(log π_dpo − log π_sft) of each pair's responses, from the checkpoints.
        IReadOnlyList<PreferenceExample> pairs = task.PreferencePairs(32, 0, 7);
        int pad = task.Tokenizer.Pad;
        double[] Score(string dir, Func<PreferenceExample, int[]> response)
        {
            using var model = StageModels.LoadPolicy(dir, SftStageTests.Config, withValueHead: false);
            model.Eval();
            return SequenceLogProbs.ComputeValues(model, [.. pairs.Select(p => (p.Prompt, response(p)))], pad, 16);
        }
        double[] dpoChosen = Score(dpo.CheckpointDir, p => p.Chosen), dpoRejected = Score(dpo.CheckpointDir, p => p.Rejected);
        double[] refChosen = Score(sft.CheckpointDir, p => p.Chosen), refRejected = Score(sft.CheckpointDir, p => p.Rejected);
        double accuracy = Enumerable.Range(0, pairs.Count).Count(i => dpoChosen[i] - refChosen[i] > dpoRejected[i] - refRejected[i]) / (double)pairs.Count;
        Assert.True(accuracy > 0.9, $"implicit-reward accuracy {accuracy}");

        StageResult again = DpoStage.Run(task, SftStageTests.Config, settings, sft, 7, root.Path, null, CancellationToken.None)!;
        Assert.True(again.Reused);
        Assert.Equal(dpo.CheckpointDir, again.CheckpointDir);
        Assert.Null(DpoStage.Run(task, SftStageTests.Config, settings with { Steps = 0 }, sft, 7, root.Path, null, CancellationToken.None));
    }
}

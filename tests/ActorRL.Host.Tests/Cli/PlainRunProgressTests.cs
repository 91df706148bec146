using ActorRL.Actors.Rlhf;
using ActorRL.Host.Progress;
using ActorRL.Models.Rlhf;
using ActorRL.Models.Rlhf.Stages;

namespace ActorRL.Host.Tests.Cli;

public sealed class PlainRunProgressTests
{
    private static StageStepped Sft(long step, double loss) =>
        new(new StageProgress("sft", step, 8, new Dictionary<string, double> { ["loss"] = loss, ["lr"] = 0.001 }));

    [Fact]
    public void LinesForARunWithAResumedRlStage()
    {
        var time = new ManualTime();
        var writer = new StringWriter { NewLine = "\n" };
        var progress = new PlainRunProgress(writer, time, linesPerStage: 4, interval: TimeSpan.FromSeconds(5));
        void At(double seconds, RlhfRunEvent e)
        {
            time.Now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(seconds);
            progress.Report(e);
        }

        At(0, new StageStarted("sft", 8));
        At(1, Sft(1, 2.5));   // first step: 1 s per step, 7 to go
        At(2, Sft(2, 2.0));   // one step since the last line (every 8/4 = 2), 1 s: quiet
        At(3, Sft(3, 1.25));  // two steps since the last line
        At(10, Sft(4, 1.0));  // one step, but 7 s since the last line: 2.5 s per step, 4 to go
        At(11, Sft(8, 0.5));  // the last step
        At(11, new StageFinished(new StageResult("sft", "/runs/q/stages/sft", Reused: false, TimeSpan.FromSeconds(11))));
        At(11, new StageFinished(new StageResult("dpo", "/runs/q/stages/dpo", Reused: true, TimeSpan.FromSeconds(0.2))));
        At(12, new EvaluationCompleted("before", [new EvalFigure("accuracy in-distribution", 0.625), new EvalFigure("accuracy shifted", 0.5)]));
        At(20, new StageStarted("rl", 40));
        // Resumed at step 21: the rate counts one step in 10 s, not 21; 19 steps to go.
        At(30, new RlStepCompleted(21, 40, 21, new Dictionary<string, double>
        {
            ["reward_mean"] = 0.41,
            ["kl"] = 0.0123,
            ["tokens_per_s"] = 850.4,
            ["learner_idle_fraction"] = 0.123,
            ["entropy"] = 1.7,
        }));
        At(31, new RoleRestarted("/user/rlhf/learner", "threw at step 22"));
        // One step since the last line (every 40/4 = 10) but 5 s: 15 s for 2 steps, 18 to go.
        At(35, new RlStepCompleted(22, 40, 22, new Dictionary<string, double>()));
        At(36, new RlStepCompleted(23, 40, 23, new Dictionary<string, double> { ["kl"] = double.NaN }));

        Assert.Equal(
            """
            sft started, 8 steps
            sft step 1/8 loss 2.5 eta 7s
            sft step 3/8 loss 1.25 eta 5s
            sft step 4/8 loss 1 eta 10s
            sft step 8/8 loss 0.5 eta 0s
            sft done in 11s, checkpoint /runs/q/stages/sft
            dpo reused /runs/q/stages/dpo
            eval before: accuracy in-distribution 0.625, accuracy shifted 0.5
            rl started, 40 steps
            rl step 21/40 reward 0.41 kl 0.0123 tok/s 850 idle 12% eta 3m10s
            restarted /user/rlhf/learner: threw at step 22
            rl step 22/40 eta 2m15s

            """.ReplaceLineEndings("\n"),
            writer.ToString());
    }

    [Fact]
    public void AStageWithoutStepsAndAStepWithoutAStartStillGetLines()
    {
        var time = new ManualTime();
        var writer = new StringWriter { NewLine = "\n" };
        var progress = new PlainRunProgress(writer, time);

        progress.Report(new StageStarted("eval_after", 0));
        time.Advance(4);
        progress.Report(new RlStepCompleted(1, 2, 1, new Dictionary<string, double> { ["reward_mean"] = -0.5 }));
        time.Advance(4);
        progress.Report(new RlStepCompleted(2, 2, 2, new Dictionary<string, double> { ["reward_mean"] = 1234.4 }));

        // Without a start, the first step seen sets the clock: no rate yet, so no eta.
        Assert.Equal("eval_after started\nrl step 1/2 reward -0.5\nrl step 2/2 reward 1234 eta 0s\n", writer.ToString());
    }

    [Fact]
    public void PreferenceStepsAreNamedForTheObjectivesStage()
    {
        var time = new ManualTime();
        var writer = new StringWriter { NewLine = "\n" };
        var progress = new PlainRunProgress(writer, time);

        progress.Report(new StageStarted("ropo", 4));
        progress.Report(new StageStarted("eval_before", 0));
        time.Advance(2);
        progress.Report(new RlStepCompleted(1, 4, 1, new Dictionary<string, double> { ["kl"] = 0.5 }));

        Assert.Equal("ropo started, 4 steps\neval_before started\nropo step 1/4 kl 0.5 eta 6s\n", writer.ToString());
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(59.4, "59s")]
    [InlineData(80, "1m20s")]
    [InlineData(3599, "59m59s")]
    [InlineData(7500, "2h05m")]
    public void DurationsAreShort(double seconds, string text) => Assert.Equal(text, ProgressFormat.Duration(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void ReportsFromManyThreadsGiveWholeLines()
    {
        var writer = new StringWriter { NewLine = "\n" };
        var progress = new PlainRunProgress(writer, new ManualTime(), linesPerStage: 1000);

        Parallel.For(0, 400, i => progress.Report(new RoleRestarted($"/user/r{i}", "x")));

        string[] lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(400, lines.Length);
        Assert.Equal(Enumerable.Range(0, 400).Select(i => $"restarted /user/r{i}: x").Order(), lines.Order());
    }
}

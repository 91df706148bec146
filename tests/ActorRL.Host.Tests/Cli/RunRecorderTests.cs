using ActorRL.Actors.Rlhf;
using ActorRL.Host.Progress;
using ActorRL.Host.Reports;
using ActorRL.Host.Tests.Reports;
using ActorRL.Models.Rlhf.Stages;

namespace ActorRL.Host.Tests.Cli;

public sealed class RunRecorderTests
{
    private sealed class Collecting : IRunProgress
    {
        public List<RlhfRunEvent> Events { get; } = [];

        public void Report(RlhfRunEvent runEvent) => Events.Add(runEvent);
    }

    private sealed class Throwing : IRunProgress
    {
        public void Report(RlhfRunEvent runEvent) => throw new InvalidOperationException("display gone");
    }

    [Fact]
    public void StepsAreLoggedUnderTheirStageAndEveryEventIsShown()
    {
        using var dir = new TempDir();
        var time = new ManualTime();
        var warnings = new List<string>();
        var shown = new Collecting();
        RlhfRunEvent[] events =
        [
            new StageStarted("sft", 2),
            new StageStepped(new StageProgress("sft", 1, 2, new Dictionary<string, double> { ["loss"] = 2.0 })),
            new StageStepped(new StageProgress("sft", 2, 2, new Dictionary<string, double> { ["loss"] = 1.5 })),
            new StageFinished(new StageResult("sft", "/c/sft", false, TimeSpan.FromSeconds(3))),
            new StageStarted("rl", 1),
            new RlStepCompleted(1, 1, 1, new Dictionary<string, double> { ["reward_mean"] = 0.25, ["Bad Name"] = 1, ["step"] = 9 }),
            new RlStepCompleted(1, 1, 1, new Dictionary<string, double> { ["reward_mean"] = 0.5, ["Bad Name"] = 2 }),
        ];
        string path;
        using (var recorder = new RunRecorder(dir.Path, time, warnings.Add))
        {
            path = recorder.MetricsPath;
            Action<RlhfRunEvent> observer = recorder.Observer(shown);
            foreach (RlhfRunEvent e in events)
            {
                time.Advance(1);
                observer(e);
            }
        }

        Assert.Equal(events, shown.Events);
        MetricsFile file = MetricsReader.Read(path);
        Assert.Equal(4, file.LineCount);
        Assert.Equal([("sft", 1L, 2.0), ("sft", 2L, 1.5), ("rl", 1L, 0.5)],
            file.Steps.Select(s => (s.Stage, s.Step, s.Stage == "rl" ? s[MetricNames.RewardMean] : s["loss"])));
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 2, TimeSpan.Zero), file.Steps[0].Timestamp);
        // Names metrics.jsonl cannot hold are left out, each said once.
        Assert.Equal(2, warnings.Count);
        Assert.Contains("'Bad Name'", warnings[0], StringComparison.Ordinal);
        Assert.Contains("'step'", warnings[1], StringComparison.Ordinal);
    }

    [Fact]
    public void StagesListTheResultsThenTheOthersSeenStartingEachUntilItsEnd()
    {
        using var dir = new TempDir();
        var time = new ManualTime();
        using var recorder = new RunRecorder(dir.Path, time, _ => { });
        void At(double seconds, RlhfRunEvent e)
        {
            time.Now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(seconds);
            recorder.Record(e);
        }

        At(0, new StageStarted("dpo", 10));
        At(1, new StageFinished(new StageResult("dpo", "/c/dpo", Reused: true, TimeSpan.FromSeconds(0.5))));
        At(5, new StageStarted("eval_before", 0));
        At(7, new EvaluationCompleted("before", []));
        At(8, new StageStarted("dpo", 40));        // the dpo objective's preference loop: no StageFinished, ends where eval_after starts
        At(68, new StageStarted("eval_after", 0));
        At(71, new EvaluationCompleted("after", []));

        var stages = recorder.Stages([new StageResult("dpo", "/c/dpo", Reused: true, TimeSpan.FromSeconds(0.5))], time.GetUtcNow().AddSeconds(1));

        Assert.Equal(
        [
            new StageSummary("dpo", TimeSpan.FromSeconds(0.5), Reused: true),
            new StageSummary("eval_before", TimeSpan.FromSeconds(2)),
            new StageSummary("dpo", TimeSpan.FromSeconds(60)),
            new StageSummary("eval_after", TimeSpan.FromSeconds(3)),
        ], stages);
    }

    [Fact]
    public void AFailingDisplayNeitherStopsTheRunNorTheLog()
    {
        using var dir = new TempDir();
        var warnings = new List<string>();
        string path;
        using (var recorder = new RunRecorder(dir.Path, new ManualTime(), warnings.Add))
        {
            path = recorder.MetricsPath;
            Action<RlhfRunEvent> observer = recorder.Observer(new Throwing());
            observer(new RlStepCompleted(1, 2, 1, new Dictionary<string, double> { ["kl"] = 0.1 }));
            observer(new RlStepCompleted(2, 2, 2, new Dictionary<string, double> { ["kl"] = 0.2 }));
        }

        Assert.Equal(2, MetricsReader.Read(path).LineCount);
        Assert.Equal(["progress: display gone (the run goes on; further such failures are not reported)"], warnings);
    }
}

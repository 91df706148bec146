using System.Text.Json;
using ActorRL.Actors.Rlhf;
using ActorRL.Host.Bench.Pipeline;
using ActorRL.Host.Cli;
using ActorRL.Host.Tests.Cli;
using ActorRL.Host.Tests.Reports;

namespace ActorRL.Host.Tests.Bench;

public sealed class PipelineBenchTests
{
    private static RlStepCompleted Step(long step, double update, double publish, double compute) =>
        new(step, 4, step, new Dictionary<string, double> { ["time_update_s"] = update, ["time_publish_s"] = publish, ["compute_s"] = compute });

    [Fact]
    public void FiguresAreTakenFromTheFirstStepsEndToTheLastOnes()
    {
        // Step 1 (warm-up) ends at 10 s and is not counted; steps 2..4 end at 12, 14 and 16 s.
        var steps = new List<(double, RlStepCompleted)>
        {
            (10, Step(1, 9, 9, 9)), (12, Step(2, 1.0, 0.2, 1.9)), (14, Step(3, 1.2, 0.2, 1.9)), (16, Step(4, 1.0, 0.2, 1.9)),
        };
        PipelineRunFigures figures = PipelineBench.Summarize(RolloutSchedule.Sync, 0, steps, restarts: 0);

        Assert.Equal(3, figures.Steps);
        Assert.Equal(6.0, figures.WallSeconds, 12);
        Assert.Equal(0.5, figures.IterationsPerSecond, 12);
        Assert.Equal(3.8, figures.LearnerBusySeconds, 12);       // 1.2 + 1.4 + 1.2
        Assert.Equal(1 - 3.8 / 6, figures.LearnerIdleFraction, 12);
        Assert.Equal(5.7, figures.ComputeSeconds, 12);
        Assert.Equal(0.05, figures.OrchestrationOverheadFraction, 12);
        Assert.Equal("sync", figures.Schedule);
    }

    [Fact]
    public async Task TheCommandWritesBothRunsAndTheNamedRatiosAndFigures()
    {
        using var dir = new TempDir();
        string json = Path.Combine(dir.Path, "pipeline.json");
        var bench = await ActorRlProcess.RunAsync(dir.Path,
            "bench", "pipeline", "--json", json, "--steps", "3", "--config", Path.Combine(ActorRlProcess.RepositoryRoot, "config", "ppo.json"),
            "--set", "model.layers=1", "--set", "model.width=32", "--set", "model.heads=2", "--set", "stages.sft.steps=2", "--set", "stages.sft.warmup_steps=1",
            "--set", "rl.prompts_per_step=2", "--set", "rl.samples_per_prompt=2", "--set", "rl.generation.max_new_tokens=8", "--set", "task.sft_examples=32");

        Assert.True(bench.ExitCode == ExitCodes.Success, bench.Stderr);
        using JsonDocument report = JsonDocument.Parse(File.ReadAllText(json));
        JsonElement root = report.RootElement;
        double sync = root.GetProperty("sync").GetProperty("iterations_per_second").GetDouble();
        double async = root.GetProperty("async").GetProperty("iterations_per_second").GetDouble();
        Assert.Equal(async / sync, root.GetProperty("ratios").GetProperty("async_over_sync_throughput").GetDouble(), 9);
        Assert.Equal(root.GetProperty("async").GetProperty("learner_idle_fraction").GetDouble(),
            root.GetProperty("figures").GetProperty("async_learner_idle_fraction").GetDouble());
        Assert.Equal(root.GetProperty("sync").GetProperty("orchestration_overhead_fraction").GetDouble(),
            root.GetProperty("figures").GetProperty("orchestration_overhead_fraction").GetDouble());
        Assert.Equal(2, root.GetProperty("sync").GetProperty("steps").GetInt32());
        Assert.Equal(1, root.GetProperty("async").GetProperty("staleness").GetInt32());
    }

    [Fact]
    public async Task APreferenceObjectiveIsRefusedWithTheKey()
    {
        using var dir = new TempDir();
        var bench = await ActorRlProcess.RunAsync(dir.Path,
            "bench", "pipeline", "--json", Path.Combine(dir.Path, "p.json"), "--config", Path.Combine(ActorRlProcess.RepositoryRoot, "config", "dpo.json"));

        Assert.Equal(ExitCodes.BadConfiguration, bench.ExitCode);
        Assert.Contains("objective.name", bench.Stderr, StringComparison.Ordinal);
    }
}

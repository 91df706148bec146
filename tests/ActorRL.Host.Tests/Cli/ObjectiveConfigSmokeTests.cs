using ActorRL.Host.Cli;
using ActorRL.Host.Reports;
using ActorRL.Host.Tests.Reports;

namespace ActorRL.Host.Tests.Cli;

/// <summary>Every ready config in config/ runs end to end once shrunk to smoke size with --set.</summary>
public sealed class ObjectiveConfigSmokeTests
{
    private static readonly string[] Smoke =
    [
        "--set", "run.dir=runs/smoke", "--set", "model.layers=1", "--set", "model.width=32", "--set", "model.heads=2",
        "--set", "stages.sft.steps=3", "--set", "stages.sft.warmup_steps=1", "--set", "stages.reward_model.steps=2", "--set", "stages.dpo.steps=2",
        "--set", "rl.steps=2", "--set", "rl.prompts_per_step=2", "--set", "rl.samples_per_prompt=2", "--set", "rl.generation.max_new_tokens=8",
        "--set", "task.sft_examples=32", "--set", "task.preference_pairs=8", "--set", "eval.examples=2", "--set", "eval.generation.max_new_tokens=8",
    ];

    [Theory]
    [InlineData("ppo", new[] { "sft" }, "clip_fraction")]
    [InlineData("rto", new[] { "sft", "dpo" }, "clip_fraction")]
    [InlineData("drto", new[] { "sft", "dpo" }, "drto_ess")]
    [InlineData("rcfd", new[] { "sft", "reward_model" }, "rcfd_alignment")]
    [InlineData("ropo", new[] { "sft", "reward_model" }, "reward_accuracy")]
    [InlineData("dpo", new[] { "sft", "reward_model" }, "reward_accuracy")]
    public async Task EachObjectiveConfigRunsEndToEndAtSmokeSize(string objective, string[] stages, string metric)
    {
        using var dir = new TempDir();
        string config = Path.Combine(ActorRlProcess.RepositoryRoot, "config", $"{objective}.json");
        var train = await ActorRlProcess.RunAsync(dir.Path, ["train", "--config", config, .. Smoke]);

        Assert.True(train.ExitCode == ExitCodes.Success, train.Stderr);
        string runDir = Path.Combine(dir.Path, "runs", "smoke");
        MetricsFile metrics = MetricsReader.Read(Path.Combine(runDir, "metrics.jsonl"));
        Assert.Equal([.. stages, "rl"], metrics.Steps.Select(s => s.Stage).Distinct());
        var rl = metrics.Steps.Where(s => s.Stage == "rl").ToList();
        Assert.Equal([1L, 2L], rl.Select(s => s.Step));
        Assert.All(rl, s => Assert.False(double.IsNaN(s[metric]), $"step {s.Step} has no {metric}"));
        Assert.True(File.Exists(Path.Combine(runDir, "report", "report.md")));
        Assert.True(Directory.Exists(Path.Combine(runDir, "checkpoints", "step-000002")));
        Assert.Contains("\nEvaluation\n", train.Stdout, StringComparison.Ordinal);
    }
}

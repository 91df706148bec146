using System.Globalization;
using System.Text.RegularExpressions;
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

/// <summary>Ctrl+C (SIGINT) and SIGTERM during RL: the step finishes, a checkpoint is written, the exit code is 0.</summary>
public sealed class TrainInterruptTests
{
    [Theory]
    [InlineData("INT")]
    [InlineData("TERM")]
    public async Task ASignalDuringRlStopsAfterTheStepWithACheckpointAndExitsZero(string signal)
    {
        using var dir = new TempDir();
        string config = Path.Combine(ActorRlProcess.RepositoryRoot, "config", "ppo.json");
        int signalled = 0;
        var train = await ActorRlProcess.RunAsync(dir.Path, (line, pid) =>
        {
            if (line.StartsWith("rl step ", StringComparison.Ordinal) && Interlocked.Exchange(ref signalled, 1) == 0) ActorRlProcess.Signal(pid, signal);
        },
        [
            "train", "--config", config, "--set", "run.dir=runs/stop", "--set", "model.layers=1", "--set", "model.width=32", "--set", "model.heads=2",
            "--set", "stages.sft.steps=3", "--set", "stages.sft.warmup_steps=1", "--set", "rl.steps=100000", "--set", "rl.prompts_per_step=2",
            "--set", "rl.samples_per_prompt=2", "--set", "rl.generation.max_new_tokens=8", "--set", "task.sft_examples=32", "--set", "eval.examples=2",
        ]);

        Assert.True(train.ExitCode == ExitCodes.Success, train.Stderr);
        Match stopped = Regex.Match(train.Stdout, @"stopped at step (\d+), checkpoint: (.+)\n");
        Assert.True(stopped.Success, train.Stdout);
        string checkpoint = stopped.Groups[2].Value;
        Assert.EndsWith($"step-{long.Parse(stopped.Groups[1].Value, CultureInfo.InvariantCulture):D6}", checkpoint, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(checkpoint, "manifest.json")));
        var rl = MetricsReader.Read(Path.Combine(dir.Path, "runs", "stop", "metrics.jsonl")).Steps.Where(s => s.Stage == "rl").ToList();
        Assert.Equal(long.Parse(stopped.Groups[1].Value, CultureInfo.InvariantCulture), rl.Count);
        Assert.True(rl.Count < 100000);
    }
}

/// <summary>The same command run again in the same run directory.</summary>
public sealed class TrainRerunTests
{
    [Fact]
    public async Task ASecondRunReusesTheStagesAndMovesTheFirstRunsOutputsAside()
    {
        using var dir = new TempDir();
        string config = Path.Combine(ActorRlProcess.RepositoryRoot, "config", "ppo.json");
        string[] args =
        [
            "train", "--config", config, "--set", "run.dir=runs/again", "--set", "model.layers=1", "--set", "model.width=32", "--set", "model.heads=2",
            "--set", "stages.sft.steps=3", "--set", "stages.sft.warmup_steps=1", "--set", "rl.steps=2", "--set", "rl.prompts_per_step=2",
            "--set", "rl.samples_per_prompt=2", "--set", "rl.generation.max_new_tokens=8", "--set", "task.sft_examples=32", "--set", "eval.examples=2",
        ];
        var first = await ActorRlProcess.RunAsync(dir.Path, args);
        Assert.True(first.ExitCode == ExitCodes.Success, first.Stderr);
        var second = await ActorRlProcess.RunAsync(dir.Path, args);

        Assert.True(second.ExitCode == ExitCodes.Success, second.Stderr);
        string runDir = Path.Combine(dir.Path, "runs", "again");
        Assert.Contains("held an earlier run", second.Stderr, StringComparison.Ordinal);
        Assert.Contains("sft reused", second.Stdout, StringComparison.Ordinal);
        string previous = Assert.Single(Directory.GetDirectories(Path.Combine(runDir, "previous")));
        Assert.True(File.Exists(Path.Combine(previous, "checkpoints", "step-000002", "manifest.json")));
        Assert.True(File.Exists(Path.Combine(previous, "metrics.jsonl")));
        Assert.True(File.Exists(Path.Combine(runDir, "checkpoints", "step-000002", "manifest.json")));
        // The new metrics hold only the new run's steps (the reused SFT stage logs none).
        var steps = MetricsReader.Read(Path.Combine(runDir, "metrics.jsonl")).Steps;
        Assert.Equal([1L, 2L], steps.Select(s => s.Step));
    }
}

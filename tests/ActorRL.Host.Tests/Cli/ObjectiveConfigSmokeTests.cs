using System.Globalization;
using System.Text.RegularExpressions;
using ActorRL.Actors.Rlhf.Journal;
using ActorRL.Host.Cli;
using ActorRL.Host.Reports;
using ActorRL.Host.Tests.Reports;
using ActorRL.Models.Checkpoints;
using System.Text.Json.Nodes;

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

/// <summary>The same command run again in the same run directory: it continues from the last checkpoint.</summary>
public sealed class TrainResumeTests
{
    private static string[] Args(string runDir, params string[] more) =>
    [
        "train", "--config", Path.Combine(ActorRlProcess.RepositoryRoot, "config", "ppo.json"), "--set", $"run.dir={runDir}",
        "--set", "model.layers=1", "--set", "model.width=32", "--set", "model.heads=2", "--set", "stages.sft.steps=3", "--set", "stages.sft.warmup_steps=1",
        "--set", "rl.steps=2", "--set", "rl.prompts_per_step=2", "--set", "rl.samples_per_prompt=2", "--set", "rl.generation.max_new_tokens=8",
        "--set", "task.sft_examples=32", "--set", "eval.examples=2", .. more,
    ];

    private static long[] RlSteps(string runDir) =>
        [.. MetricsReader.Read(Path.Combine(runDir, "metrics.jsonl")).Steps.Where(s => s.Stage == "rl").Select(s => s.Step)];

    [Fact]
    public async Task ARerunContinuesFromTheLastCheckpointAndFreshStartsOver()
    {
        using var dir = new TempDir();
        string runDir = Path.Combine(dir.Path, "runs", "again");
        var first = await ActorRlProcess.RunAsync(dir.Path, Args("runs/again"));
        Assert.True(first.ExitCode == ExitCodes.Success, first.Stderr);

        // The same command: the run is complete, so it resumes at step 2, trains nothing and evaluates again.
        var same = await ActorRlProcess.RunAsync(dir.Path, Args("runs/again"));
        Assert.True(same.ExitCode == ExitCodes.Success, same.Stderr);
        Assert.Contains($"resuming from {Path.Combine(runDir, "checkpoints", "step-000002")} (step 2)", same.Stdout, StringComparison.Ordinal);
        Assert.Equal([1L, 2L], RlSteps(runDir));

        // More steps: 3 and 4 continue the same run.
        var longer = await ActorRlProcess.RunAsync(dir.Path, Args("runs/again", "--set", "rl.steps=4"));
        Assert.True(longer.ExitCode == ExitCodes.Success, longer.Stderr);
        Assert.Equal([1L, 2L, 3L, 4L], RlSteps(runDir));
        Assert.True(File.Exists(Path.Combine(runDir, "checkpoints", "step-000004", "manifest.json")));
        Assert.False(Directory.Exists(Path.Combine(runDir, "previous")));

        // A change that the checkpoint cannot take is refused with its key.
        var other = await ActorRlProcess.RunAsync(dir.Path, Args("runs/again", "--set", "rl.samples_per_prompt=4"));
        Assert.Equal(ExitCodes.BadConfiguration, other.ExitCode);
        Assert.Contains("rl.samples_per_prompt: run.dir", other.Stderr, StringComparison.Ordinal);
        Assert.Contains("holds a run trained with 2, not 4", other.Stderr, StringComparison.Ordinal);
        Assert.Contains("--fresh", other.Stderr, StringComparison.Ordinal);

        // --fresh moves the run aside and starts over, reusing the stages.
        var fresh = await ActorRlProcess.RunAsync(dir.Path, Args("runs/again", "--set", "rl.samples_per_prompt=4", "--fresh"));
        Assert.True(fresh.ExitCode == ExitCodes.Success, fresh.Stderr);
        Assert.Contains("sft reused", fresh.Stdout, StringComparison.Ordinal);
        string previous = Assert.Single(Directory.GetDirectories(Path.Combine(runDir, "previous")));
        Assert.True(File.Exists(Path.Combine(previous, "checkpoints", "step-000004", "manifest.json")));
        Assert.Equal([1L, 2L], RlSteps(runDir));
    }

    [Fact]
    public async Task ARunGoesOnFromItsCheckpointWithASmallerLearningRateAndSaysSo()
    {
        // The way out of a diverged run: the same command with a smaller rl.lr continues from the last checkpoint.
        using var dir = new TempDir();
        string runDir = Path.Combine(dir.Path, "runs", "tuned");
        var first = await ActorRlProcess.RunAsync(dir.Path, Args("runs/tuned", "--set", "rl.lr=0.0002"));
        Assert.True(first.ExitCode == ExitCodes.Success, first.Stderr);

        var tuned = await ActorRlProcess.RunAsync(dir.Path, Args("runs/tuned", "--set", "rl.lr=0.00003", "--set", "rl.steps=3"));
        Assert.True(tuned.ExitCode == ExitCodes.Success, tuned.Stderr);
        Assert.Contains("warning: rl.lr: the run trained with 0.0002 up to step 2 and goes on with 3E-05", tuned.Stderr, StringComparison.Ordinal);
        Assert.Contains($"resuming from {Path.Combine(runDir, "checkpoints", "step-000002")} (step 2)", tuned.Stdout, StringComparison.Ordinal);
        Assert.Equal([1L, 2L, 3L], RlSteps(runDir));

        double[] Rates(string step) => [.. JsonNode.Parse(File.ReadAllText(Path.Combine(runDir, "checkpoints", step, "optimizer.json")))!["groups"]!.AsArray()
            .Select(g => g!["lr"]!.GetValue<double>())];
        Assert.All(Rates("step-000002"), lr => Assert.Equal(0.0002, lr));
        Assert.All(Rates("step-000003"), lr => Assert.Equal(0.00003, lr));
    }

    [Fact]
    public async Task ARunKilledThreeTimesAndResumedEndsWithTheWeightsOfAnUninterruptedRun()
    {
        using var dir = new TempDir();
        // Steps of a few hundred milliseconds, so that a kill lands inside the step it was aimed at.
        string[] extra =
        [
            "--set", "rl.steps=16", "--set", "rl.schedule=sync", "--set", "rl.staleness=0", "--set", "run.checkpoint_every=1",
            "--set", "rl.prompts_per_step=8", "--set", "rl.generation.max_new_tokens=32", "--set", "model.width=64",
        ];
        var straight = await ActorRlProcess.RunAsync(dir.Path, Args("runs/straight", extra));
        Assert.True(straight.ExitCode == ExitCodes.Success, straight.Stderr);

        // SIGKILL during three random steps (a checkpoint may or may not have been written for the step in flight).
        int[] moments = [.. Enumerable.Range(1, 8).OrderBy(_ => Random.Shared.Next()).Take(3).Order()];
        foreach (int moment in moments)
        {
            int killed = 0;
            var run = await ActorRlProcess.RunAsync(dir.Path, (line, pid) =>
            {
                // Plain progress prints some steps only: kill at the first one shown from the chosen moment on.
                Match step = Regex.Match(line, @"^rl step (\d+)/");
                if (step.Success && int.Parse(step.Groups[1].Value, CultureInfo.InvariantCulture) >= moment && Interlocked.Exchange(ref killed, 1) == 0)
                {
                    ActorRlProcess.Signal(pid, "KILL");
                }
            }, Args("runs/killed", extra));
            Assert.True(killed == 1, $"never reached step {moment}: {run.Stdout}");
            Assert.NotEqual(ExitCodes.Success, run.ExitCode);
        }
        var last = await ActorRlProcess.RunAsync(dir.Path, Args("runs/killed", extra));
        Assert.True(last.ExitCode == ExitCodes.Success, last.Stderr);

        string Weights(string run) => JsonNode.Parse(File.ReadAllText(Path.Combine(dir.Path, "runs", run, "checkpoints", "step-000016", "manifest.json")))!
            ["files"]!.AsArray().Single(f => f!["name"]!.GetValue<string>() == "model.safetensors")!["sha256"]!.GetValue<string>();
        Assert.True(Weights("straight") == Weights("killed"), $"killed at steps {string.Join(", ", moments)}");
        Assert.Equal([.. Enumerable.Range(1, 16).Select(i => (long)i)], RlSteps(Path.Combine(dir.Path, "runs", "killed")));

        // Exactly once: across the attempts the journal's history trains every sample of the 16 steps (8 prompts × 2
        // samples each) in exactly one committed step, none skipped. An attempt killed before its journal wrote anything
        // leaves no trace (it had committed nothing), so the journal knows one to four attempts.
        RunHistory history = await RunJournal.ReadAsync(Path.Combine(dir.Path, "runs", "killed"));
        Assert.InRange(history.Attempts, 1, 4);
        Assert.Equal([.. Enumerable.Range(1, 16).Select(i => (long)i)], history.Steps.Select(s => s.Step));
        Assert.Equal([.. Enumerable.Range(1, 16 * 16).Select(i => (long)i)], history.Steps.SelectMany(s => s.SampleIds).Order());
        Assert.Equal(16, history.Checkpoints[^1].Step);
    }

    [Fact]
    public async Task ACorruptNewestCheckpointIsNamedAndTheRunResumesFromThePreviousOne()
    {
        using var dir = new TempDir();
        string runDir = Path.Combine(dir.Path, "runs", "corrupt");
        var first = await ActorRlProcess.RunAsync(dir.Path, Args("runs/corrupt", "--set", "run.checkpoint_every=1", "--set", "rl.schedule=sync", "--set", "rl.staleness=0"));
        Assert.True(first.ExitCode == ExitCodes.Success, first.Stderr);
        string newest = Path.Combine(runDir, "checkpoints", "step-000002");
        string model = Path.Combine(newest, "model.safetensors");
        byte[] bytes = File.ReadAllBytes(model);
        bytes[^1] ^= 0xFF;
        File.WriteAllBytes(model, bytes);

        var again = await ActorRlProcess.RunAsync(dir.Path, Args("runs/corrupt", "--set", "run.checkpoint_every=1", "--set", "rl.schedule=sync", "--set", "rl.staleness=0"));
        Assert.True(again.ExitCode == ExitCodes.Success, again.Stderr);
        Assert.Contains($"checkpoint {newest} cannot be resumed from", again.Stderr, StringComparison.Ordinal);
        Assert.Contains("model.safetensors", again.Stderr, StringComparison.Ordinal);
        Assert.Contains($"resuming from {Path.Combine(runDir, "checkpoints", "step-000001")} (step 1)", again.Stdout, StringComparison.Ordinal);
        Assert.Equal([1L, 2L], RlSteps(runDir));
        Checkpoint.Verify(newest); // step 2 trained again over the corrupt one
    }
}

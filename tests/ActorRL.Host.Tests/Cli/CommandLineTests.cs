using System.Text.Json;
using ActorRL.Host.Cli;
using ActorRL.Host.Reports;
using ActorRL.Host.Tests.Reports;

namespace ActorRL.Host.Tests.Cli;

public sealed class CommandLineTests
{
    private static readonly string Quickstart = Path.Combine(ActorRlProcess.RepositoryRoot, "config", "quickstart.json");

    [Fact]
    public async Task TrainWithAnInvalidValueExitsWithBadConfigurationAndNamesTheKey()
    {
        using var dir = new TempDir();
        var result = await ActorRlProcess.RunAsync(dir.Path, "train", "--config", Quickstart, "--set", "rl.steps=-1");

        Assert.Equal(ExitCodes.BadConfiguration, result.ExitCode);
        Assert.Contains("error: rl.steps: must be at least 0, not -1 (from --set rl.steps)", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path)); // nothing written: the run directory is not created
    }

    [Fact]
    public async Task TrainWithAnUnknownObjectiveListsTheKnownOnes()
    {
        using var dir = new TempDir();
        var result = await ActorRlProcess.RunAsync(dir.Path, "train", "--config", Quickstart, "--set", "objective.name=grpo");

        Assert.Equal(ExitCodes.BadConfiguration, result.ExitCode);
        Assert.Contains("objective.name: unknown objective 'grpo'; known: ppo, rto, drto, rcfd, ropo, dpo", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TrainWithAMissingFileNamesIt()
    {
        using var dir = new TempDir();
        var result = await ActorRlProcess.RunAsync(dir.Path, "train", "--config", "nowhere.json");

        Assert.Equal(ExitCodes.BadConfiguration, result.ExitCode);
        Assert.Contains("nowhere.json: the file does not exist", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RedirectedErrorsAndTablesArePlainTextUnderAColourTerminal()
    {
        // The child's TERM says the terminal has colours; its output goes to pipes, which must get no escape sequences.
        using var dir = new TempDir();
        var failed = await ActorRlProcess.RunAsync(dir.Path, "train", "--config", "nowhere.json");
        Assert.StartsWith("error: ", failed.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain('\x1b', failed.Stderr);

        var doctor = await ActorRlProcess.RunAsync(dir.Path, "doctor");
        Assert.True(doctor.ExitCode == ExitCodes.Success, doctor.Stderr);
        Assert.Contains("libtorch", doctor.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain('\x1b', doctor.Stdout);
        Assert.DoesNotContain('\x1b', doctor.Stderr);
    }

    [Fact]
    public async Task TrainWithoutConfigIsAParseError()
    {
        using var dir = new TempDir();
        var result = await ActorRlProcess.RunAsync(dir.Path, "train");

        Assert.NotEqual(ExitCodes.Success, result.ExitCode);
        Assert.Contains("train needs --config FILE", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("train", new[] { "--config", "--set", "KEY=VALUE" })]
    [InlineData("eval", new[] { "--checkpoint", "DIR", "--task", "--examples", "--seed", "--json", "--config" })]
    public async Task HelpMentionsTheOptions(string command, string[] mentions)
    {
        using var dir = new TempDir();
        var result = await ActorRlProcess.RunAsync(dir.Path, command, "--help");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.All(mentions, m => Assert.Contains(m, result.Stdout, StringComparison.Ordinal));
    }

    [Fact]
    public async Task RootHelpListsTrainAndEval()
    {
        using var dir = new TempDir();
        var result = await ActorRlProcess.RunAsync(dir.Path, "--help");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("train", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("eval", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EvalOfAMissingCheckpointSaysSo()
    {
        using var dir = new TempDir();
        var result = await ActorRlProcess.RunAsync(dir.Path, "eval", "--checkpoint", "runs/none/step-3");

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Contains("error: checkpoint runs/none/step-3: no such directory", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EvalOfADirectoryWithoutManifestSaysTheCheckpointIsUnusable()
    {
        using var dir = new TempDir();
        string checkpoint = Directory.CreateDirectory(Path.Combine(dir.Path, "step-3")).FullName;
        File.WriteAllText(Path.Combine(checkpoint, "model.safetensors"), "not weights");
        var result = await ActorRlProcess.RunAsync(dir.Path, "eval", "--checkpoint", checkpoint, "--task", "arithmetic");

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Contains($"checkpoint {checkpoint}: manifest.json: missing", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("cannot be used", result.Stderr, StringComparison.Ordinal);
    }

    // A run small enough for a unit test (about 2 s on a laptop CPU): every stage, three RL steps, then eval of its checkpoint.
    private static readonly string[] TinyRun =
    [
        "--set", "run.dir=runs/tiny", "--set", "stages.sft.steps=3", "--set", "stages.sft.warmup_steps=1", "--set", "stages.dpo.steps=2",
        "--set", "rl.steps=3", "--set", "rl.prompts_per_step=2", "--set", "rl.samples_per_prompt=2", "--set", "rl.generation.max_new_tokens=8",
        "--set", "task.sft_examples=32", "--set", "task.preference_pairs=16", "--set", "eval.examples=2", "--set", "eval.generation.max_new_tokens=8",
    ];

    [Fact]
    public async Task TrainRunsAndWritesConfigMetricsReportAndCheckpointThenEvalReadsTheCheckpoint()
    {
        using var dir = new TempDir();
        var train = await ActorRlProcess.RunAsync(dir.Path, ["train", "--config", Quickstart, .. TinyRun, "--set", "eval.generation.temperature=0.5"]);

        Assert.True(train.ExitCode == ExitCodes.Success, train.Stderr);
        string runDir = Path.Combine(dir.Path, "runs", "tiny");
        string checkpoint = Path.Combine(runDir, "checkpoints", "step-000003");
        // Plain progress (standard output is a pipe), then the table and where things are.
        Assert.Contains("sft started, 3 steps\n", train.Stdout, StringComparison.Ordinal);
        Assert.Contains("rl step 3/3 ", train.Stdout, StringComparison.Ordinal);
        Assert.Contains("\nEvaluation\nfigure                    before (SFT)  after (RL)", train.Stdout, StringComparison.Ordinal);
        Assert.EndsWith($"report: {Path.Combine(runDir, "report", "report.md")}\ncheckpoint: {checkpoint}\n", train.Stdout, StringComparison.Ordinal);

        using (JsonDocument config = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, "config.json"))))
        {
            Assert.Equal(3, config.RootElement.GetProperty("rl").GetProperty("steps").GetInt32());
            Assert.Equal("runs/tiny", config.RootElement.GetProperty("run").GetProperty("dir").GetString());
        }
        MetricsFile metrics = MetricsReader.Read(Path.Combine(runDir, "metrics.jsonl"));
        Assert.Equal(["sft", "dpo", "rl"], metrics.Steps.Select(s => s.Stage).Distinct());
        Assert.Equal([1L, 2L, 3L], metrics.Steps.Where(s => s.Stage == "rl").Select(s => s.Step));
        string report = File.ReadAllText(Path.Combine(runDir, "report", "report.md"));
        Assert.Contains("| figure | before (SFT) | after (RL) | change |", report, StringComparison.Ordinal);
        Assert.Contains("| accuracy in-distribution |", report, StringComparison.Ordinal);
        Assert.Contains("(plots/rl_drto_ess.svg)", report, StringComparison.Ordinal);
        Assert.Contains("| RL steps | 3 of 3 |", report, StringComparison.Ordinal);

        // The learner's checkpoint does not record the model's size: eval finds the run's config.json above it.
        string json = Path.Combine(dir.Path, "eval.json");
        var eval = await ActorRlProcess.RunAsync(dir.Path, "eval", "--checkpoint", checkpoint, "--json", json);

        Assert.True(eval.ExitCode == ExitCodes.Success, eval.Stderr);
        Assert.StartsWith($"Evaluation of {checkpoint} (arithmetic)\nfigure                    value  better\naccuracy in-distribution  ", eval.Stdout, StringComparison.Ordinal);
        using JsonDocument figures = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal("arithmetic", figures.RootElement.GetProperty("task").GetString());
        Assert.Equal(2, figures.RootElement.GetProperty("examples").GetInt32());
        Assert.Equal(8, figures.RootElement.GetProperty("max_new_tokens").GetInt32());
        // The run's evaluation settings: its sampling temperature too, not greedy decoding.
        Assert.Equal(0.5, figures.RootElement.GetProperty("temperature").GetDouble());
        Assert.Equal("accuracy in-distribution", figures.RootElement.GetProperty("figures")[0].GetProperty("name").GetString());
    }
}

using System.CommandLine;
using System.Globalization;
using ActorRL.Actors.Rlhf;
using ActorRL.Host.Cli;
using ActorRL.Host.Configuration;
using ActorRL.Host.Diagnostics;
using ActorRL.Host.Hosting;
using ActorRL.Models.Rlhf;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace ActorRL.Host.Bench.Pipeline;

/// <summary>
/// <c>actorrl bench pipeline</c>: the same RL configuration run synchronously and asynchronously (k = 1), one run each:
/// iterations per second, learner idle time, and the share of wall time spent outside model compute.
/// </summary>
public static class PipelineBenchCommand
{
    /// <summary>The configuration used when <c>--config</c> is not given.</summary>
    public const string DefaultConfig = "config/quickstart.json";

    // Measurement settings applied over the file: no evaluation, one libtorch thread per role (generation and training
    // each get one of the cores), short stages (the policy's quality does not change what is timed), and PPO's usual
    // four passes over each batch, which balances training against generation for the quickstart's model.
    private static readonly string[] BenchDefaults =
    [
        "eval.examples=0", "torch.threads=1", "rl.rollout_workers=1", "stages.sft.steps=60", "stages.sft.warmup_steps=5",
        "stages.dpo.steps=10", "stages.reward_model.steps=20", "rl.update_epochs=4",
    ];

    /// <summary>Creates the subcommand.</summary>
    public static Command Create()
    {
        var json = BenchOptions.JsonFile("Write both runs' figures, the ratios and the machine description as JSON to FILE");
        var steps = BenchOptions.Counted("--steps", "RL steps per run (the first one is warm-up and not timed)", 16, minimum: 3);
        var set = new Option<string[]>("--set")
        {
            Description = "Override a configuration key for both runs (repeatable), e.g. --set rl.update_epochs=1",
            HelpName = "KEY=VALUE",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var command = new Command("pipeline",
            $"The RL loop of --config (default {DefaultConfig}) run synchronously and asynchronously with staleness 1, one run "
            + "each: iterations/s, learner idle fraction, and the share of wall time outside model compute")
        {
            json, steps, set,
        };
        command.SetAction((parseResult, cancellationToken) =>
        {
            string config = parseResult.GetValue(GlobalOptions.Config)?.ToString() ?? DefaultConfig;
            string[] overrides = [.. BenchDefaults, $"rl.steps={parseResult.GetValue(steps)}", .. parseResult.GetValue(set) ?? []];
            return CommandHost.RunAsync(parseResult, cancellationToken, (services, token) =>
                RunAsync(config, overrides, parseResult.GetRequiredValue(json), services.GetRequiredService<ILoggerFactory>(), token));
        });
        return command;
    }

    private static async Task<int> RunAsync(string configFile, string[] overrides, FileInfo json, ILoggerFactory loggers, CancellationToken token)
    {
        TrainConfig config;
        try
        {
            config = TrainConfigLoader.Load(configFile, overrides);
        }
        catch (InvalidConfigurationException e)
        {
            Terminal.WriteError($"{configFile}: {e.Message}");
            return ExitCodes.BadConfiguration;
        }
        if (PreferenceObjectives.IsPreference(config.Objective.Name))
        {
            Terminal.WriteError($"{configFile}: objective.name: the pipeline benchmark times the RL loop; {config.Objective.Name} trains on pairs without rollouts");
            return ExitCodes.BadConfiguration;
        }
        string root = Directory.CreateTempSubdirectory("actorrl-bench-pipeline-").FullName;
        try
        {
            RlhfRunSettings sync = RunSettingsMapper.Map(config with { Run = config.Run with { Dir = Path.Combine(root, "sync") } }, root);
            RlhfRunSettings async = sync with { RunDir = Path.Combine(root, "async") };
            Terminal.Out.MarkupLine($"[grey]{Markup.Escape($"{configFile} with {string.Join(" ", overrides)}; {MachineInfo.Current()}")}[/]");

            PipelineRunFigures syncFigures = await MeasureAsync(sync, RolloutSchedule.Sync, 0, loggers, token);
            // The async run starts from the stages the sync run trained: only the RL loop differs.
            CopyDirectory(Path.Combine(sync.RunDir, "stages"), Path.Combine(async.RunDir, "stages"));
            PipelineRunFigures asyncFigures = await MeasureAsync(async, RolloutSchedule.Async, 1, loggers, token);

            var report = new PipelineBenchReport(
                [configFile, .. overrides], config.Objective.Name, syncFigures, asyncFigures,
                new PipelineRatios(asyncFigures.IterationsPerSecond / syncFigures.IterationsPerSecond),
                new PipelineFigures(asyncFigures.LearnerIdleFraction, syncFigures.OrchestrationOverheadFraction, syncFigures.LearnerIdleFraction),
                MachineInfo.Current());
            Render(report);
            await JsonReport.WriteAsync(json, report, token);
            Terminal.Out.MarkupLine($"[grey]wrote {Markup.Escape(json.ToString())}[/]");
            return ExitCodes.Success;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<PipelineRunFigures> MeasureAsync(RlhfRunSettings settings, RolloutSchedule schedule, int staleness,
        ILoggerFactory loggers, CancellationToken token)
    {
        string label = schedule == RolloutSchedule.Sync ? "sync" : $"async (k = {staleness})";
        return await Terminal.Out.Status().StartAsync($"{label}: stages", async status =>
            await PipelineBench.MeasureAsync(settings, schedule, staleness, loggers, e =>
            {
                string? line = e switch
                {
                    StageStarted s => $"{label}: {s.Stage}",
                    RlStepCompleted s => string.Create(CultureInfo.InvariantCulture, $"{label}: rl step {s.Step}/{s.Steps}"),
                    _ => null,
                };
                if (line is not null) status.Status(Markup.Escape(line));
            }, token));
    }

    private static void Render(PipelineBenchReport report)
    {
        var table = new Table().Border(TableBorder.Rounded).Title($"actorrl bench pipeline ({Markup.Escape(report.Objective)})");
        table.AddColumn("schedule");
        foreach (string column in new[] { "steps", "wall s", "it/s", "learner idle", "compute s", "outside compute" })
        {
            table.AddColumn(new TableColumn(column).RightAligned());
        }
        foreach (PipelineRunFigures run in new[] { report.Sync, report.Async })
        {
            table.AddRow(
                run.Schedule == "sync" ? "sync" : $"async k={run.Staleness}",
                run.Steps.ToString(CultureInfo.InvariantCulture),
                F(run.WallSeconds, "F2"), F(run.IterationsPerSecond, "F3"), F(run.LearnerIdleFraction, "P1"),
                F(run.ComputeSeconds, "F2"), F(run.OrchestrationOverheadFraction, "P1"));
        }
        Terminal.Out.Write(table);
        Terminal.Out.MarkupLine($"async/sync throughput [bold]{F(report.Ratios.AsyncOverSyncThroughput, "F3")}[/] (goal >= 1.0), "
            + $"async learner idle [bold]{F(report.Figures.AsyncLearnerIdleFraction, "F3")}[/] (goal <= 0.2), "
            + $"orchestration overhead [bold]{F(report.Figures.OrchestrationOverheadFraction, "F3")}[/] (goal <= 0.05)");
    }

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    private static void CopyDirectory(string from, string to)
    {
        foreach (string dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        }
        Directory.CreateDirectory(to);
        foreach (string file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
        }
    }
}

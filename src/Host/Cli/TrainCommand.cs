using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using ActorRL.Actors;
using ActorRL.Actors.Rlhf;
using ActorRL.Actors.Rlhf.Journal;
using ActorRL.Host.Configuration;
using ActorRL.Host.Hosting;
using ActorRL.Host.Progress;
using ActorRL.Host.Reports;
using ActorRL.Models.Checkpoints;
using ActorRL.Models.Rlhf;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ActorRL.Host.Cli;

/// <summary>
/// <c>actorrl train --config FILE [--set key=value ...]</c>: loads and checks the configuration, runs the stages and
/// the RL loop as actors (<see cref="RlhfRun"/>) with live progress, logs every step to
/// <c>&lt;run.dir&gt;/metrics.jsonl</c>, and at the end writes <c>&lt;run.dir&gt;/report</c> and prints the
/// evaluation before and after RL. Ctrl+C or SIGTERM stops after the current step with a checkpoint (exit code 0).
/// </summary>
public static class TrainCommand
{
    /// <summary>The resolved configuration's file name in the run directory.</summary>
    public const string ConfigFileName = "config.json";

    /// <summary>The RL checkpoints' folder in the run directory.</summary>
    public const string CheckpointsFolder = "checkpoints";

    /// <summary>The report's folder in the run directory.</summary>
    public const string ReportFolder = "report";

    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        Option<string[]> set = ConfigOverrides.Create();
        var fresh = new Option<bool>("--fresh")
        {
            Description = "Start the RL stage over even when run.dir holds a checkpoint of this configuration (the earlier outputs move to run.dir/previous/)",
        };
        var command = new Command("train",
            "Train: SFT, reward model and DPO stages, then RL with the objective of --config; evaluate before and after, "
            + "log metrics and write the report under run.dir. Ctrl+C stops after the current step, with a checkpoint; "
            + "the same command again continues from the last checkpoint.")
        {
            set, fresh,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(GlobalOptions.Config) is null) result.AddError("train needs --config FILE, e.g. --config config/quickstart.json");
        });
        command.SetAction((parseResult, cancellationToken) => RunAsync(parseResult, set, parseResult.GetValue(fresh), cancellationToken));
        return command;
    }

    /// <summary>The curves the report plots for <paramref name="objective"/> besides <see cref="RunReport.DefaultPlots"/>.</summary>
    public static IReadOnlyList<string> PlotsFor(string objective) => objective switch
    {
        "drto" => [MetricNames.DrtoTemperature, MetricNames.DrtoEss, "loss"],
        "rcfd" => [MetricNames.RcfdAlignment, "loss"],
        "ropo" => [MetricNames.RopoKeptFraction, "loss"],
        _ => ["loss"],
    };

    private static async Task<int> RunAsync(ParseResult parseResult, Option<string[]> set, bool fresh, CancellationToken cancellationToken)
    {
        if (ConfigOverrides.Load(parseResult, set) is not { } config) return ExitCodes.BadConfiguration;
        if (config.Cluster.Enabled)
        {
            if (!ConfigOverrides.CredentialsGiven(config)) return ExitCodes.BadConfiguration;
            return await CommandHost.RunAsync(parseResult, cancellationToken, (services, token) => ClusterTrain.RunAsync(config, services, token));
        }
        return await CommandHost.RunAsync(parseResult, cancellationToken, (services, token) => TrainAsync(config, fresh, services, token));
    }

    private static async Task<int> TrainAsync(TrainConfig config, bool fresh, IServiceProvider services, CancellationToken cancellationToken)
    {
        RlhfRunSettings settings = RunSettingsMapper.Map(config, Environment.CurrentDirectory) with
        {
            ConfigSha256 = RunSettingsMapper.ConfigSha256(config),
        };
        try
        {
            settings = await PrepareRunDirAsync(config, settings, fresh, cancellationToken);
        }
        catch (InvalidConfigurationException e)
        {
            Terminal.WriteError(e.Message);
            return ExitCodes.BadConfiguration;
        }
        bool interactive = RunProgress.IsInteractive(Terminal.Out);

        RlhfRunResult result;
        IReadOnlyList<StageSummary> stages;
        string metricsPath;
        using (var recorder = new RunRecorder(settings.RunDir, TimeProvider.System, Terminal.WriteWarning))
        {
            metricsPath = recorder.MetricsPath;
            await using (ActorSystem system = ActorSystem.Create("actorrl", loggerFactory: services.GetRequiredService<ILoggerFactory>()))
            {
                try
                {
                    result = await RunProgress.ShowAsync(Terminal.Out,
                        progress => RlhfRun.RunAsync(system, settings, recorder.Observer(progress), cancellationToken));
                }
                catch (ArgumentException e) when (e.ParamName == "settings")
                {
                    // The run refused the settings as a whole (an objective without the stage it needs).
                    string suffix = $" (Parameter '{e.ParamName}')";
                    Terminal.WriteError(e.Message.EndsWith(suffix, StringComparison.Ordinal) ? e.Message[..^suffix.Length] : e.Message);
                    return ExitCodes.BadConfiguration;
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    throw new CommandFailedException(
                        $"the run failed: {e.Message}. Steps so far are in {recorder.MetricsPath}; finished stages and checkpoints under "
                        + $"{settings.RunDir} are reused when the same command runs again.", e);
                }
            }
            stages = recorder.Stages(result.Stages, DateTimeOffset.UtcNow);
        }

        ReportTable evaluation = EvaluationTable.BeforeAfter(result.Before, result.After);
        string report = WriteReport(config, settings, result, stages, evaluation, metricsPath);
        Console.Out.WriteLine();
        ConsoleTable.Write(Terminal.Out, evaluation, interactive);
        bool hasCheckpoint = !string.IsNullOrEmpty(result.CheckpointDir);
        if (result.Cancelled)
        {
            Console.Out.WriteLine(hasCheckpoint
                ? string.Create(CultureInfo.InvariantCulture, $"stopped at step {result.StepsCompleted}, checkpoint: {result.CheckpointDir}")
                : "stopped before RL started: no RL checkpoint (finished stages are kept under run.dir and reused by the next run)");
        }
        Console.Out.WriteLine($"report: {report}");
        if (hasCheckpoint) Console.Out.WriteLine($"checkpoint: {result.CheckpointDir}");
        return ExitCodes.Success;
    }

    // The coordinator continues from the newest usable RL checkpoint its journal committed in run.dir. Before it starts,
    // this checks that the configuration can continue that checkpoint and trims the metrics to it; with --fresh, or when
    // no committed checkpoint is usable, it moves an earlier run's outputs aside so that the run starts over.
    private static async Task<RlhfRunSettings> PrepareRunDirAsync(TrainConfig config, RlhfRunSettings settings, bool fresh, CancellationToken cancellationToken)
    {
        string runDir = settings.RunDir;
        try
        {
            Directory.CreateDirectory(runDir);
            var unusable = new List<string>();
            JournaledCheckpoint? resume = fresh ? null
                : (await RunJournal.ReadAsync(runDir, cancellationToken)).ResumePoint((bad, e) => unusable.Add($"checkpoint {bad.Directory} cannot be resumed from: {e.Message}"));
            if (resume is not null)
            {
                string saved = Path.Combine(runDir, ConfigFileName);
                if (File.Exists(saved) && JsonNode.Parse(File.ReadAllText(saved)) is JsonObject before)
                {
                    JsonObject current = RunSettingsMapper.ToJson(config);
                    if (ResumeCompatibility.FirstConflict(before, current) is var (key, was, now))
                    {
                        throw new InvalidConfigurationException(key,
                            $"run.dir {runDir} holds a run trained with {was}, not {now}: continuing its checkpoint {resume.Directory} needs the same value; "
                            + "start over with --fresh, or use another run.dir");
                    }
                    foreach ((string tuned, string from, string to) in ResumeCompatibility.Retuned(before, current))
                    {
                        Terminal.WriteWarning(string.Create(CultureInfo.InvariantCulture,
                            $"{tuned}: the run trained with {from} up to step {resume.Step} and goes on with {to}"));
                    }
                }
                // The coordinator names the checkpoints it passes over when it recovers.
                KeepMetricsUpTo(runDir, resume.Step);
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"resuming from {resume.Directory} (step {resume.Step}); --fresh starts over"));
                RunSettingsMapper.WriteJson(config, saved);
                return settings;
            }
            foreach (string warning in unusable) Terminal.WriteWarning(warning);
            ArchivePreviousRun(runDir);
            RunSettingsMapper.WriteJson(config, Path.Combine(runDir, ConfigFileName));
            return settings;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CommandFailedException($"run.dir {runDir}: cannot write there: {e.Message}", e);
        }
    }

    // The steps after the checkpoint are trained again: their earlier lines would otherwise appear twice.
    private static void KeepMetricsUpTo(string runDir, long step)
    {
        string path = Path.Combine(runDir, MetricsLog.FileName);
        if (!File.Exists(path)) return;
        var kept = File.ReadLines(path).Where(line =>
        {
            try
            {
                JsonNode? node = JsonNode.Parse(line);
                return node?["stage"]?.GetValue<string>() != RunRecorder.RlStage || node["step"]?.GetValue<long>() <= step;
            }
            catch (System.Text.Json.JsonException)
            {
                return false; // an unfinished last line of a run that was killed mid-write
            }
        }).ToList();
        string temporary = path + ".tmp";
        File.WriteAllLines(temporary, kept);
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>The folder, under the run directory, that an earlier run's outputs are moved to.</summary>
    public const string PreviousFolder = "previous";

    // A run that starts its RL stage over (--fresh, or no usable checkpoint) in a directory that already holds a run
    // reuses the stages, and moves the earlier run's checkpoints, metrics, report and configuration under
    // previous/<time>/ rather than overwriting them or mixing them with the new ones.
    private static void ArchivePreviousRun(string runDir)
    {
        string[] outputs =
        [
            ConfigFileName, MetricsLog.FileName, ReportFolder, CheckpointsFolder,
            RunJournal.FileName, RunJournal.FileName + "-wal", RunJournal.FileName + "-shm",
        ];
        var present = outputs.Select(name => Path.Combine(runDir, name)).Where(p => File.Exists(p) || Directory.Exists(p)).ToList();
        if (present.Count == 0) return;
        string archive = Path.Combine(runDir, PreviousFolder, DateTime.UtcNow.ToString("yyyyMMdd-HHmmss-fff", CultureInfo.InvariantCulture));
        Directory.CreateDirectory(archive);
        foreach (string path in present)
        {
            string target = Path.Combine(archive, Path.GetFileName(path));
            if (Directory.Exists(path)) Directory.Move(path, target);
            else File.Move(path, target);
        }
        Terminal.WriteWarning($"run.dir {runDir} held an earlier run: its outputs were moved to {archive}; finished stages are reused");
    }

    private static string WriteReport(TrainConfig config, RlhfRunSettings settings, RlhfRunResult result,
        IReadOnlyList<StageSummary> stages, ReportTable evaluation, string metricsPath)
    {
        IReadOnlyList<StepMetrics> metrics = [];
        try
        {
            metrics = MetricsReader.Read(metricsPath).Steps;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            Terminal.WriteWarning($"{metricsPath}: {e.Message}; the report has no curves");
        }

        var summary = new RunSummary(
            $"actorrl train: {config.Objective.Name} on {settings.Task}",
            ConfigRows(config, settings),
            stages,
            [evaluation, Outcome(result, settings)],
            PlotsFor(config.Objective.Name));
        string reportDir = Path.Combine(settings.RunDir, ReportFolder);
        try
        {
            RunReport.Write(reportDir, summary, metrics);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CommandFailedException($"cannot write the report to {reportDir}: {e.Message} (the checkpoint {result.CheckpointDir} is complete)", e);
        }
        return Path.Combine(reportDir, RunReport.MarkdownFile);
    }

    private static List<KeyValuePair<string, string>> ConfigRows(TrainConfig config, RlhfRunSettings settings)
    {
        JsonNode objective = RunSettingsMapper.ToJson(config)[ObjectiveConfig.Section]!;
        string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
        return
        [
            new("objective", objective.ToJsonString()),
            new("task", Invariant($"{settings.Task} ({config.Task.SftExamples} demonstrations, {config.Task.PreferencePairs} pairs, label noise {config.Task.LabelNoise})")),
            new("model", Invariant($"{settings.Model.Layers} layers, {settings.Model.Heads} heads, width {settings.Model.Width}, context {settings.Model.ContextLength}, vocabulary {settings.Model.VocabSize}")),
            new("stages", Invariant($"sft {config.Stages.Sft.Steps} steps, reward_model {config.Stages.RewardModel.Steps}, dpo {config.Stages.Dpo.Steps}")),
            new("rl", Invariant($"{config.Rl.Steps} steps of {config.Rl.PromptsPerStep} prompts x {config.Rl.SamplesPerPrompt} samples, {Schedule(config)}, lr {config.Rl.Lr}, {config.Rl.RolloutWorkers} rollout worker(s)")),
            new("eval", Invariant($"{config.Eval.Examples} examples per set, temperature {config.Eval.Generation.Temperature}")),
            new("run.dir", settings.RunDir),
            new("run.seed", settings.Seed.ToString(CultureInfo.InvariantCulture)),
        ];
    }

    private static string Schedule(TrainConfig config) => config.Rl.Schedule == RolloutSchedule.Async
        ? string.Create(CultureInfo.InvariantCulture, $"async (staleness {config.Rl.Staleness})")
        : "sync";

    private static ReportTable Outcome(RlhfRunResult result, RlhfRunSettings settings) => new("Outcome", ["", "value"],
    [
        ["RL steps", string.Create(CultureInfo.InvariantCulture, $"{result.StepsCompleted} of {settings.Steps}")],
        ["policy version", result.PolicyVersion.ToString(CultureInfo.InvariantCulture)],
        ["role restarts", result.Restarts.ToString(CultureInfo.InvariantCulture)],
        ["stopped early", result.Cancelled ? "yes (on request)" : "no"],
        ["final checkpoint", string.IsNullOrEmpty(result.CheckpointDir) ? "none" : result.CheckpointDir],
    ]);
}

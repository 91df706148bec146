using System.CommandLine;
using System.Globalization;
using ActorRL.Host.Cli;
using ActorRL.Host.Hosting;
using ActorRL.Models.Tensors;
using Spectre.Console;

namespace ActorRL.Host.Bench.Model;

/// <summary><c>actorrl bench model</c>: SFT step and generation of a small GPT, ActorRL against PyTorch.</summary>
public static class ModelBenchCommand
{
    /// <summary>Creates the subcommand.</summary>
    public static Command Create()
    {
        var json = BenchOptions.JsonFile("Write medians, ratios, checks, samples and the machine description as JSON to FILE");
        var threads = BenchOptions.Threads();
        // The record's defaults, shown in --help; the thread count is decided when the command runs.
        var defaults = new ModelBenchSettings(Threads: 1);
        var steps = BenchOptions.Counted("--steps", "Timed SFT steps per implementation per round", defaults.TrainSteps);
        var rounds = BenchOptions.Counted("--rounds", "Runs of each implementation, taken in turn", defaults.Rounds);

        var command = new Command("model",
            "One SFT step (16 x 128 tokens) and greedy generation (16 prompts, 128 new tokens, with and without the KV "
            + "cache) of a ~10M-parameter GPT, through ActorRL's SftTrainer and Generator and in PyTorch: medians and ratios")
        {
            json, threads, steps, rounds,
        };
        command.SetAction((parseResult, cancellationToken) => CommandHost.RunAsync(parseResult, cancellationToken, async (_, token) =>
        {
            var settings = defaults with
            {
                Threads = parseResult.GetValue(threads) ?? Torch.Threads,
                TrainSteps = parseResult.GetValue(steps),
                Rounds = parseResult.GetValue(rounds),
            };
            string pythonTorch = await ProcessStepTimer.PythonTorchVersionAsync(token);
            ModelBenchWorkload workload = ModelBenchWorkload.Create();
            string directory = Directory.CreateTempSubdirectory("actorrl-bench-model-").FullName;
            try
            {
                using var csharp = new CSharpModelRunner(workload, settings, Path.Combine(directory, "model.safetensors"));
                SavedModel model = await csharp.SaveModelAsync();
                IModelRunner[] runners = [csharp, PythonModelRunner.Create(workload, settings, model, directory)];
                Terminal.Out.MarkupLine($"[grey]{Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                    $"model: {model.ParameterCount:N0} parameters ({workload.Config}); {settings.Threads} thread(s)"))}[/]");

                IReadOnlyDictionary<string, IReadOnlyList<ModelRunTimes>> runs = await Terminal.Out.Progress()
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
                    .StartAsync(ctx => ModelBench.RunAsync(runners, settings.Rounds, new ProgressDisplay(ctx, runners, settings.Rounds), token));

                ModelBenchReport report = ModelBench.Summarize(runs, workload, settings, model, pythonTorch);
                Render(report, runners);
                FileInfo file = parseResult.GetRequiredValue(json);
                await JsonReport.WriteAsync(file, report, token);
                Terminal.Out.MarkupLine($"[grey]wrote {Markup.Escape(file.ToString())}[/]");
                return ExitCodes.Success;
            }
            finally
            {
                Directory.Delete(directory, recursive: true);
            }
        }));
        return command;
    }

    private static void Render(ModelBenchReport report, IReadOnlyList<IModelRunner> runners)
    {
        ModelBenchMedians m = report.MedianMs;
        ModelBenchRatios r = report.Ratios;
        ModelBenchWorkloadInfo w = report.Workload;
        ModelBenchSettings s = report.Settings;
        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"actorrl bench model: median ms, GPT of {report.Model.ParameterCount / 1e6:F2}M parameters")));
        table.AddColumn("work");
        table.AddColumn(new TableColumn("C# ms").RightAligned());
        table.AddColumn(new TableColumn("Python ms").RightAligned());
        table.AddColumn(new TableColumn("ratio").RightAligned());
        table.AddColumn("goal");
        string tokens = $"{w.GeneratePrompts}x{w.NewTokens}";
        table.AddRow(Markup.Escape($"SFT step, {w.TrainBatch}x{w.TrainPromptTokens + w.TrainResponseTokens}"),
            Format(m.TrainStepCsharp, "F1"), Format(m.TrainStepPython, "F1"),
            Ratio(r.TrainStepOverPython, r.TrainStepOverPython <= ModelBenchRatios.OverPythonGoal), "C#/Python <= 1");
        table.AddRow(Markup.Escape($"generate {tokens}, KV cache"),
            Format(m.GenerateCsharp, "F1"), Format(m.GeneratePython, "F1"),
            Ratio(r.GenerateOverPython, r.GenerateOverPython <= ModelBenchRatios.OverPythonGoal), "C#/Python <= 1");
        table.AddRow(Markup.Escape($"generate {tokens}, no cache"),
            Format(m.GenerateNoCacheCsharp, "F1"), "",
            Ratio(r.KvSpeedup, r.KvSpeedup >= ModelBenchRatios.KvSpeedupGoal), "KV speed-up >= 3");
        Terminal.Out.Write(table);

        ModelBenchChecks c = report.Checks;
        Terminal.Out.MarkupLine($"[grey]{Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"checks: first SFT loss C# {c.FirstLossCsharp:F6}, Python {c.FirstLossPython:F6} (relative difference {c.LossRelativeDifference:E1}); "
            + $"greedy tokens of prompt 0: C# and Python {(c.TokensAgree ? "identical" : "DIFFER")} "
            + $"(log-probabilities within {c.LogProbMaxDifference?.ToString("E1", CultureInfo.InvariantCulture) ?? "-"}), "
            + $"C# without cache {(c.NoCacheTokensAgree ? "identical" : "DIFFERS")}"))}[/]");
        if (!c.LossAgrees)
        {
            Terminal.WriteWarning(string.Create(CultureInfo.InvariantCulture,
                $"the first SFT losses differ by {c.LossRelativeDifference:E2} (relative), more than {c.LossTolerance:E0}: the two sides do not compute the same step"));
        }
        if (!c.TokensAgree) Terminal.WriteWarning("C# and Python generated different greedy tokens for prompt 0 from the same weights");
        else if (!c.LogProbsAgree)
        {
            Terminal.WriteWarning(string.Create(CultureInfo.InvariantCulture,
                $"the log-probabilities of prompt 0's tokens differ by up to {c.LogProbMaxDifference:E2} between C# and Python"));
        }
        if (!c.NoCacheTokensAgree) Terminal.WriteWarning("C# generated different greedy tokens for prompt 0 with and without the KV cache");
        foreach (IModelRunner runner in runners) Terminal.Out.MarkupLine($"[grey]{Markup.Escape($"{runner.Title}: {runner.Description}")}[/]");
        Terminal.Out.MarkupLine($"[grey]{Markup.Escape(
            $"{s.Threads} thread(s); per round and implementation: SFT {s.TrainSteps} timed steps after {s.TrainWarmup} warm-up, "
            + $"generation {s.GenerateRuns} timed after {s.GenerateWarmup} warm-up; {s.Rounds} round(s); "
            + $"{s.NoCacheRuns} generation(s) without the cache in all; "
            + $"libtorch {report.LibtorchVersion}, PyTorch {report.PythonTorchVersion}; {report.Machine}")}[/]");
    }

    private static string Ratio(double ratio, bool met) => $"[bold {(met ? "green" : "red")}]{Format(ratio, "F3")}[/]";

    private static string Format(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>One progress bar per implementation, advanced after each of its runs, naming what it is doing.</summary>
    private sealed class ProgressDisplay : IModelBenchProgress
    {
        private readonly Dictionary<string, ProgressTask> tasks;
        private readonly int rounds;

        public ProgressDisplay(ProgressContext context, IReadOnlyList<IModelRunner> runners, int rounds)
        {
            this.rounds = rounds;
            tasks = runners.ToDictionary(r => r.Key, r => context.AddTask(Label(r), maxValue: rounds));
        }

        public void Starting(IModelRunner runner, int round, string activity) =>
            tasks[runner.Key].Description = $"{Label(runner)} [grey]round {round + 1}/{rounds}: {Markup.Escape(activity)}[/]";

        public void Finished(IModelRunner runner, int round)
        {
            ProgressTask task = tasks[runner.Key];
            task.Description = Label(runner);
            task.Increment(1);
        }

        private static string Label(IModelRunner runner) => Markup.Escape($"{runner.Title} ({runner.Description})");
    }
}

using System.CommandLine;
using System.Globalization;
using ActorRL.Host.Bench;
using ActorRL.Host.Bench.Actors;
using ActorRL.Host.Bench.Model;
using ActorRL.Host.Bench.Persistence;
using ActorRL.Host.Bench.Pipeline;
using ActorRL.Host.Bench.Transport;
using ActorRL.Host.Hosting;
using ActorRL.Models.Tensors;
using Spectre.Console;

namespace ActorRL.Host.Cli;

/// <summary><c>actorrl bench</c>: benchmarks that print ratios measured side by side in one run.</summary>
public static class BenchCommand
{
    /// <summary>Creates the command and its subcommands.</summary>
    public static Command Create()
    {
        var bench = new Command("bench", "Benchmarks that print ratios measured side by side in one run");
        bench.Subcommands.Add(CreateTorch());
        bench.Subcommands.Add(ActorBenchCommand.Create());
        bench.Subcommands.Add(ModelBenchCommand.Create());
        bench.Subcommands.Add(PipelineBenchCommand.Create());
        bench.Subcommands.Add(PersistenceBenchCommand.Create());
        bench.Subcommands.Add(TransportBenchCommand.Create());
        return bench;
    }

    private static Command CreateTorch()
    {
        var json = BenchOptions.JsonFile("Write medians, ratios, samples and the machine description as JSON to FILE");
        var threads = BenchOptions.Threads();
        var steps = BenchOptions.Counted("--steps", "Timed steps per program per run", 10, minimum: 1);
        var warmup = BenchOptions.Counted("--warmup", "Untimed steps per program at the start of each run", 3, minimum: 0);
        var rounds = BenchOptions.Counted("--rounds", "Runs of each implementation, taken in turn", 3, minimum: 1);

        var command = new Command("torch",
            "One training step (zero_grad, forward, backward, AdamW) of an MLP and a GPT block, in C# through "
            + "the binding, in C++ against libtorch and in Python with PyTorch: medians and ratios")
        {
            json, threads, steps, warmup, rounds,
        };
        command.SetAction((parseResult, cancellationToken) => CommandHost.RunAsync(parseResult, cancellationToken, async (_, token) =>
        {
            var settings = new BenchSettings(
                parseResult.GetValue(threads) ?? Torch.Threads,
                parseResult.GetValue(warmup),
                parseResult.GetValue(steps),
                parseResult.GetValue(rounds));
            // Every dependency is checked before the first measurement, not minutes into the run.
            using var csharp = new CSharpStepTimer();
            IStepTimer[] timers = [csharp, ProcessStepTimer.Cpp(), ProcessStepTimer.Python()];
            string pythonTorch = await ProcessStepTimer.PythonTorchVersionAsync(token);

            IReadOnlyDictionary<string, StepTimes> pooled = await Terminal.Out.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
                .StartAsync(ctx => TorchBench.RunAsync(timers, settings, new ProgressDisplay(ctx, timers, settings.Rounds), token));

            TorchBenchReport report = TorchBench.Summarize(pooled, settings, pythonTorch);
            Render(report, timers);
            FileInfo file = parseResult.GetRequiredValue(json);
            await JsonReport.WriteAsync(file, report, token);
            Terminal.Out.MarkupLine($"[grey]wrote {Markup.Escape(file.ToString())}[/]");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static void Render(TorchBenchReport report, IReadOnlyList<IStepTimer> timers)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("actorrl bench torch: median ms per training step");
        table.AddColumn("program");
        foreach (IStepTimer t in timers) table.AddColumn(new TableColumn(Markup.Escape($"{t.Title} ms")).RightAligned());
        table.AddColumn(new TableColumn("C#/C++").RightAligned());
        table.AddColumn(new TableColumn("C#/Python").RightAligned());
        foreach ((string name, ProgramResult p) in report.Programs)
        {
            var cells = new List<string> { name };
            cells.AddRange(timers.Select(t => Format(p.MedianMs[t.Key], "F2")));
            cells.Add(Format(p.CsharpOverCpp, "F3"));
            cells.Add(Format(p.CsharpOverPython, "F3"));
            table.AddRow(cells.ToArray());
        }
        var overall = new List<string> { "[bold]geomean[/]" };
        overall.AddRange(timers.Select(_ => ""));
        overall.Add($"[bold]{Format(report.Ratios.CsharpOverCpp, "F3")}[/]");
        overall.Add($"[bold]{Format(report.Ratios.CsharpOverPython, "F3")}[/]");
        table.AddRow(overall.ToArray());

        BenchSettings s = report.Settings;
        int samples = s.Steps * s.Rounds;
        Terminal.Out.Write(table);
        foreach (IStepTimer t in timers) Terminal.Out.MarkupLine($"[grey]{Markup.Escape($"{t.Title}: {t.Description}")}[/]");
        Terminal.Out.MarkupLine($"[grey]{Markup.Escape(
            $"{s.Threads} thread(s); {samples} steps per cell ({s.Rounds} round(s) of {s.Steps} after {s.Warmup} warm-up); "
            + $"libtorch {report.LibtorchVersion}, PyTorch {report.PythonTorchVersion}; {report.Machine}")}[/]");
    }

    private static string Format(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>One progress bar per implementation, advanced after each of its runs.</summary>
    private sealed class ProgressDisplay : IBenchProgress
    {
        private readonly Dictionary<string, ProgressTask> tasks;
        private readonly int rounds;

        public ProgressDisplay(ProgressContext context, IReadOnlyList<IStepTimer> timers, int rounds)
        {
            this.rounds = rounds;
            tasks = timers.ToDictionary(t => t.Key, t => context.AddTask(Label(t), maxValue: rounds));
        }

        public void Starting(IStepTimer timer, int round) =>
            tasks[timer.Key].Description = $"{Label(timer)} [grey]round {round + 1}/{rounds}[/]";

        public void Finished(IStepTimer timer, int round)
        {
            ProgressTask task = tasks[timer.Key];
            task.Description = Label(timer);
            task.Increment(1);
        }

        private static string Label(IStepTimer timer) => Markup.Escape($"{timer.Title} ({timer.Description})");
    }
}

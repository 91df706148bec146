using System.CommandLine;
using System.Globalization;
using ActorRL.Actors;
using ActorRL.Host.Cli;
using ActorRL.Host.Diagnostics;
using ActorRL.Host.Hosting;
using Spectre.Console;

namespace ActorRL.Host.Bench.Actors;

/// <summary>
/// <c>actorrl bench actors</c>: ping-pong and fan-out throughput and Ask latency through the actor
/// kernel, against the same patterns on bare channels and tasks.
/// </summary>
public static class ActorBenchCommand
{
    /// <summary>Creates the subcommand.</summary>
    public static Command Create()
    {
        var json = BenchOptions.JsonFile("Write medians, ratios, every round's figures and the machine description as JSON to FILE");
        var defaults = new ActorBenchSettings(
            Pairs: Math.Max(2, Environment.ProcessorCount),
            ActorThroughput: new ActorSystemOptions().Throughput);
        var seconds = new Option<double>("--seconds")
        {
            Description = "Timed seconds of each measurement (each also warms up for a quarter of that)",
            HelpName = "S",
            DefaultValueFactory = _ => defaults.Seconds,
        };
        seconds.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() is not (>= 0.01 and <= 600)) r.AddError("--seconds must be between 0.01 and 600");
        });
        var rounds = BenchOptions.Counted("--rounds", "Measurements of every workload in each version, the versions taking turns to go first", defaults.Rounds);

        var command = new Command("actors",
            "Message passing through the actor kernel against bare System.Threading.Channels and tasks: "
            + "ping-pong and fan-out throughput, Ask latency; medians and ratios")
        {
            json, seconds, rounds,
        };
        command.SetAction((parseResult, cancellationToken) => CommandHost.RunAsync(parseResult, cancellationToken, async (_, token) =>
        {
            ActorBenchSettings settings = defaults with
            {
                Seconds = parseResult.GetValue(seconds),
                Rounds = parseResult.GetValue(rounds),
            };
            IReadOnlyList<ActorBenchMeasurement> measurements = ActorBench.Measurements(settings);
            double? loadAverage = MachineInfo.LoadAverage();

            // Redrawn only when a run starts or ends: a refresh timer would compete with the threads being timed.
            IReadOnlyDictionary<string, IReadOnlyList<double>> samples = await Terminal.Out.Progress()
                .AutoRefresh(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn())
                .StartAsync(ctx => ActorBench.RunAsync(measurements, settings,
                    new ProgressDisplay(ctx, measurements, settings.Rounds), token));

            ActorBenchReport report = ActorBench.Summarize(samples, settings, loadAverage);
            Render(report, measurements);
            FileInfo file = parseResult.GetRequiredValue(json);
            await JsonReport.WriteAsync(file, report, token);
            Terminal.Out.MarkupLine($"[grey]wrote {Markup.Escape(file.ToString())}[/]");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static void Render(ActorBenchReport report, IReadOnlyList<ActorBenchMeasurement> measurements)
    {
        ActorBenchSettings s = report.Settings;
        ActorBenchFigures f = report.Figures;
        ActorBenchRatios r = report.Ratios;
        var table = new Table().Border(TableBorder.Rounded)
            .Title(Markup.Escape($"actorrl bench actors: medians of {s.Rounds} round(s)"));
        table.AddColumn("workload");
        table.AddColumn(new TableColumn("actor").RightAligned());
        table.AddColumn(new TableColumn("channel").RightAligned());
        table.AddColumn(new TableColumn("actor/channel").RightAligned());
        string goal = r.PingpongActorOverChannel >= 0.5 ? "green" : "red";
        table.AddRow("ping-pong, 1 pair (msg/s)", Format(f.PingpongActorMsgsPerS, "N0"), Format(f.PingpongChannelMsgsPerS, "N0"),
            $"[bold {goal}]{Format(r.PingpongActorOverChannel, "F3")}[/] [grey](goal >= 0.5)[/]");
        table.AddRow(Markup.Escape($"ping-pong, {s.Pairs} pairs (msg/s)"), Format(f.PingpongPairsActorMsgsPerS, "N0"),
            Format(f.PingpongPairsChannelMsgsPerS, "N0"), Format(r.PingpongPairsActorOverChannel, "F3"));
        table.AddRow(Markup.Escape($"fan-out 1 to {s.Consumers} (msg/s)"), Format(f.FanoutActorMsgsPerS, "N0"),
            Format(f.FanoutChannelMsgsPerS, "N0"), Format(r.FanoutActorOverChannel, "F3"));
        table.AddRow("request/response p50 (µs)", Format(f.AskP50Us, "F2"), Format(f.ChannelRequestP50Us, "F2"),
            Format(r.AskP50ActorOverChannel, "F3"));
        table.AddRow("request/response p99 (µs)", Format(f.AskP99Us, "F2"), Format(f.ChannelRequestP99Us, "F2"),
            Format(r.AskP99ActorOverChannel, "F3"));
        Terminal.Out.Write(table);
        foreach (IGrouping<string, ActorBenchMeasurement> versions in measurements.GroupBy(m => m.Version))
        {
            Terminal.Out.MarkupLine($"[grey]{Markup.Escape($"{versions.Key}: {string.Join("; ", versions.Select(m => m.Description))}")}[/]");
        }
        Terminal.Out.MarkupLine($"[grey]{Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"a ping-pong message is one Tell (channel write), a round trip two; {s.Seconds} s per measurement "
            + $"after {s.WarmupSeconds} s warm-up; actor throughput {s.ActorThroughput} messages per turn; {report.Machine}"))}[/]");
        foreach (string warning in report.Warnings) Terminal.Out.MarkupLine($"[yellow]warning: {Markup.Escape(warning)}[/]");
    }

    private static string Format(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>One progress bar per workload and version, advanced after the warm-up pass and after each round.</summary>
    private sealed class ProgressDisplay : IActorBenchProgress
    {
        private readonly ProgressContext context;
        private readonly Dictionary<ActorBenchMeasurement, ProgressTask> tasks;
        private readonly int rounds;

        public ProgressDisplay(ProgressContext context, IReadOnlyList<ActorBenchMeasurement> measurements, int rounds)
        {
            this.context = context;
            this.rounds = rounds;
            tasks = measurements.ToDictionary(m => m, m => context.AddTask(Label(m), maxValue: rounds + 1));
            context.Refresh();
        }

        public void Starting(ActorBenchMeasurement measurement, int round)
        {
            string step = round < 0 ? "warm-up" : $"round {round + 1}/{rounds}";
            tasks[measurement].Description = $"{Label(measurement)} [grey]{step}[/]";
            context.Refresh();
        }

        public void Finished(ActorBenchMeasurement measurement, int round)
        {
            ProgressTask task = tasks[measurement];
            task.Description = Label(measurement);
            task.Increment(1);
            context.Refresh();
        }

        private static string Label(ActorBenchMeasurement m) => Markup.Escape($"{m.Benchmark} {m.Version} ({m.Description})");
    }
}

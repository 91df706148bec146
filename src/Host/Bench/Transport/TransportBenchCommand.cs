using System.CommandLine;
using System.Globalization;
using ActorRL.Host.Cli;
using ActorRL.Host.Hosting;
using Spectre.Console;

namespace ActorRL.Host.Bench.Transport;

/// <summary>
/// <c>actorrl bench transport</c>: rollout messages/s and weight-publication MB/s through ActorRL's cluster layer,
/// each against raw RabbitMQ publishing and consuming the same bytes on the same throw-away broker.
/// </summary>
public static class TransportBenchCommand
{
    /// <summary>Creates the subcommand.</summary>
    public static Command Create()
    {
        var defaults = new TransportBenchSettings();
        var json = BenchOptions.JsonFile("Write the figures, ratios, every round and the machine description as JSON to FILE");
        var rollouts = BenchOptions.Counted("--rollouts", "Finished generation chunks (messages) published and consumed per run", defaults.Rollouts);
        var perChunk = BenchOptions.Counted("--rollouts-per-chunk", "Rollouts in each message", defaults.RolloutsPerChunk);
        var responseTokens = BenchOptions.Counted("--response-tokens", "Response tokens of each rollout, each with a log-prob and a value", defaults.ResponseTokens);
        var batch = BenchOptions.Counted("--batch", "Messages published together before their confirms are awaited", defaults.Batch);
        var weightsMb = BenchOptions.Counted("--weights-mb", "Size of the published policy version in MB (10^6 bytes)", defaults.WeightsMegabytes);
        var chunkKib = BenchOptions.Counted("--chunk-kb", "Largest piece of the version per message, in KiB", defaults.ChunkKib);
        var rounds = BenchOptions.Counted("--rounds", "Timed rounds of cluster layer and raw RabbitMQ, taken in turn", defaults.Rounds);

        var command = new Command("transport",
            "Rollout messages/s through a WorkQueue to an actor on another node, and weight-publication MB/s through "
            + "WeightsPublisher to a WeightsSubscriber on another node, against raw RabbitMQ publish/consume of the same "
            + "bytes on the same throw-away broker")
        {
            json, rollouts, perChunk, responseTokens, batch, weightsMb, chunkKib, rounds,
        };
        command.SetAction((parseResult, cancellationToken) => CommandHost.RunAsync(parseResult, cancellationToken, async (_, token) =>
        {
            var settings = defaults with
            {
                Rollouts = parseResult.GetValue(rollouts),
                RolloutsPerChunk = parseResult.GetValue(perChunk),
                ResponseTokens = parseResult.GetValue(responseTokens),
                Batch = parseResult.GetValue(batch),
                WeightsMegabytes = parseResult.GetValue(weightsMb),
                ChunkKib = parseResult.GetValue(chunkKib),
                Rounds = parseResult.GetValue(rounds),
            };
            TransportBenchReport report = await Terminal.Out.Status().StartAsync("starting", ctx =>
                TransportBench.RunAsync(settings, line => ctx.Status(Markup.Escape(line)), token));
            Render(report);
            FileInfo file = parseResult.GetRequiredValue(json);
            await JsonReport.WriteAsync(file, report, token);
            Terminal.Out.MarkupLine($"[grey]wrote {Markup.Escape(file.ToString())}[/]");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static void Render(TransportBenchReport report)
    {
        TransportBenchSettings s = report.Settings;
        TransportFigures f = report.Figures;
        TransportRatios r = report.Ratios;
        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"actorrl bench transport: ActorRL cluster layer against raw RabbitMQ, median of {s.Rounds} round(s)")));
        table.AddColumn("traffic");
        table.AddColumn(new TableColumn("cluster").RightAligned());
        table.AddColumn(new TableColumn("raw").RightAligned());
        table.AddColumn(new TableColumn("cluster/raw").RightAligned());
        table.AddColumn("goal");
        table.AddRow(
            Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"rollouts, msgs/s ({s.Rollouts} x {f.RolloutMessageBytes} B)")),
            F(f.RolloutMessagesPerS, "F0"), F(f.RawRolloutMessagesPerS, "F0"),
            Ratio(r.RolloutsOverRaw, TransportRatios.RolloutsGoal), Markup.Escape($">= {F(TransportRatios.RolloutsGoal, "0.0")}"));
        table.AddRow(
            Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"weights, MB/s ({f.WeightsMegabytes:F0} MB in {s.ChunkKib} KiB chunks)")),
            F(f.WeightsMbPerS, "F0"), F(f.RawWeightsMbPerS, "F0"),
            Ratio(r.WeightsOverRaw, TransportRatios.WeightsGoal), Markup.Escape($">= {F(TransportRatios.WeightsGoal, "0.0")}"));
        Terminal.Out.Write(table);

        foreach (string note in report.Notes) Terminal.Out.MarkupLine($"[grey]{Markup.Escape(note)}[/]");
        Terminal.Out.MarkupLine($"[grey]{Markup.Escape($"{report.Broker}; {report.Machine}")}[/]");
    }

    private static string Ratio(double ratio, double goal) => $"[bold {(ratio >= goal ? "green" : "red")}]{F(ratio, "F3")}[/]";

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}

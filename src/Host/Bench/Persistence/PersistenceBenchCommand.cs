using System.CommandLine;
using System.Globalization;
using ActorRL.Host.Cli;
using ActorRL.Host.Hosting;
using Spectre.Console;

namespace ActorRL.Host.Bench.Persistence;

/// <summary>
/// <c>actorrl bench persistence</c>: journal events/s on SQLite and PostgreSQL, and checkpoint write and read MB/s
/// against a raw copy of the same bytes on the same disk.
/// </summary>
public static class PersistenceBenchCommand
{
    /// <summary>Creates the subcommand.</summary>
    public static Command Create()
    {
        var defaults = new PersistenceBenchSettings();
        var json = BenchOptions.JsonFile("Write the figures, ratios, every run and the machine description as JSON to FILE");
        var events = BenchOptions.Counted("--events", "Journal events appended and read back per run", defaults.Events);
        var payload = BenchOptions.Counted("--payload-bytes", "Payload size of each journal event", defaults.PayloadBytes, minimum: 0);
        var batch = BenchOptions.Counted("--batch", "Events per write in the batched journal run (the other run writes one)", defaults.Batch);
        var layers = BenchOptions.Counted("--layers", "Transformer blocks of the checkpointed GPT", defaults.Layers);
        var width = BenchOptions.Counted("--width", "Embedding width of the checkpointed GPT (64 per head where it divides)", defaults.Width);
        var rounds = BenchOptions.Counted("--rounds", "Timed rounds of checkpoint and raw copy, taken in turn", defaults.Rounds);
        var noPostgres = new Option<bool>("--no-postgres") { Description = "Measure SQLite only; PostgreSQL is reported as skipped" };

        var command = new Command("persistence",
            "Journal events/s (SQLite, and a throw-away PostgreSQL server) and checkpoint save/load MB/s of a "
            + "~10.8M-parameter GPT with its AdamW state, against a raw fsynced copy of the same bytes on the same disk")
        {
            json, events, payload, batch, layers, width, rounds, noPostgres,
        };
        command.SetAction((parseResult, cancellationToken) => CommandHost.RunAsync(parseResult, cancellationToken, async (_, token) =>
        {
            var settings = new PersistenceBenchSettings(
                parseResult.GetValue(events), parseResult.GetValue(payload), parseResult.GetValue(batch),
                parseResult.GetValue(layers), parseResult.GetValue(width), parseResult.GetValue(rounds), !parseResult.GetValue(noPostgres));
            PersistenceBenchReport report = await Terminal.Out.Status().StartAsync("starting", ctx =>
                PersistenceBench.RunAsync(settings, line => ctx.Status(Markup.Escape(line)), token));
            Render(report);
            if (!report.Postgres.Measured) Terminal.WriteWarning($"PostgreSQL skipped: {report.Postgres.SkippedReason}");
            FileInfo file = parseResult.GetRequiredValue(json);
            await JsonReport.WriteAsync(file, report, token);
            Terminal.Out.MarkupLine($"[grey]wrote {Markup.Escape(file.ToString())}[/]");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static void Render(PersistenceBenchReport report)
    {
        PersistenceBenchSettings s = report.Settings;
        var journal = new Table().Border(TableBorder.Rounded).Title(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"actorrl bench persistence: journal events/s, {s.Events} events of {s.PayloadBytes} bytes per run")));
        journal.AddColumn("store");
        journal.AddColumn(new TableColumn("write, 1 per call").RightAligned());
        journal.AddColumn(new TableColumn(Markup.Escape($"write, {s.Batch} per call")).RightAligned());
        journal.AddColumn(new TableColumn("read").RightAligned());
        PersistenceFigures f = report.Figures;
        journal.AddRow("SQLite", F(f.SqliteEventsPerS, "F0"), F(f.SqliteBatchedEventsPerS, "F0"), F(f.SqliteReadEventsPerS, "F0"));
        journal.AddRow(report.Postgres.Measured ? Markup.Escape($"PostgreSQL {report.Postgres.Version}") : "PostgreSQL",
            F(f.PostgresEventsPerS, "F0"), F(f.PostgresBatchedEventsPerS, "F0"), F(f.PostgresReadEventsPerS, "F0"));
        Terminal.Out.Write(journal);

        CheckpointTimes c = report.Checkpoint;
        var checkpoint = new Table().Border(TableBorder.Rounded).Title(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"checkpoint MB/s: {c.Parameters / 1e6:F2}M parameters + AdamW, {f.CheckpointMegabytes:F1} MB in {c.Files} files")));
        checkpoint.AddColumn("operation");
        checkpoint.AddColumn(new TableColumn("checkpoint MB/s").RightAligned());
        checkpoint.AddColumn(new TableColumn("raw MB/s").RightAligned());
        checkpoint.AddColumn(new TableColumn("checkpoint/raw").RightAligned());
        checkpoint.AddColumn("goal");
        PersistenceRatios r = report.Ratios;
        checkpoint.AddRow("write (fsync)", F(f.CheckpointWriteMbPerS, "F0"), F(f.RawWriteMbPerS, "F0"),
            $"[bold {(r.CheckpointWriteOverRaw >= PersistenceRatios.WriteGoal ? "green" : "red")}]{F(r.CheckpointWriteOverRaw, "F3")}[/]", ">= 0.7");
        checkpoint.AddRow("read", F(f.CheckpointReadMbPerS, "F0"), F(f.RawReadMbPerS, "F0"), $"[bold]{F(r.CheckpointReadOverRaw, "F3")}[/]", "");
        Terminal.Out.Write(checkpoint);

        foreach (string note in report.Notes) Terminal.Out.MarkupLine($"[grey]{Markup.Escape(note)}[/]");
        Terminal.Out.MarkupLine($"[grey]{Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"{s.Rounds} checkpoint round(s) after one untimed save; storage {report.Storage}; {report.Machine}"))}[/]");
    }

    private static string F(double? value, string format) => value?.ToString(format, CultureInfo.InvariantCulture) ?? "skipped";
}

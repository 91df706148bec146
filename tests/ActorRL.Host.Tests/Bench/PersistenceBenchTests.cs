using System.Text.Json;
using ActorRL.Host.Bench.Persistence;
using ActorRL.Host.Cli;
using ActorRL.Host.Diagnostics;
using ActorRL.Host.Tests.Cli;
using ActorRL.Host.Tests.Reports;

namespace ActorRL.Host.Tests.Bench;

public sealed class PersistenceBenchTests
{
    private static readonly MachineInfo Machine = new("cpu", 2, "os", "runtime");

    [Fact]
    public void FiguresAndRatiosAreComputedFromTheRunsAndTheMedianRounds()
    {
        var settings = new PersistenceBenchSettings(Events: 100, Batch: 10);
        JournalRun[] journal =
        [
            new(PersistenceBench.Sqlite, 1, 100, WriteSeconds: 0.5, ReadSeconds: 0.01),
            new(PersistenceBench.Sqlite, 10, 100, WriteSeconds: 0.05, ReadSeconds: 0.03),
        ];
        // 50 MB; medians: save 0.2 s, raw write 0.1 s, load 0.5 s (mean of the middle two), raw read 0.05 s.
        var checkpoint = new CheckpointTimes(1000, 7, 50_000_000,
            WriteSeconds: [0.3, 0.2, 0.1], RawWriteSeconds: [0.1, 0.1, 0.4],
            ReadSeconds: [0.4, 0.9, 0.6, 0.1], RawReadSeconds: [0.05]);

        PersistenceBenchReport report = PersistenceBench.Summarize(settings, journal, new PostgresStatus(false, null, "no server"), checkpoint, "/tmp", Machine);

        PersistenceFigures f = report.Figures;
        Assert.Equal(200, f.SqliteEventsPerS, 9);            // 100 / 0.5
        Assert.Equal(2000, f.SqliteBatchedEventsPerS, 9);    // 100 / 0.05
        Assert.Equal(5000, f.SqliteReadEventsPerS, 9);       // 200 / (0.01 + 0.03)
        Assert.Null(f.PostgresEventsPerS);
        Assert.Null(f.PostgresBatchedEventsPerS);
        Assert.Null(f.PostgresReadEventsPerS);
        Assert.Equal(50, f.CheckpointMegabytes, 9);
        Assert.Equal(250, f.CheckpointWriteMbPerS, 9);       // 50 / 0.2
        Assert.Equal(500, f.RawWriteMbPerS, 9);              // 50 / 0.1
        Assert.Equal(100, f.CheckpointReadMbPerS, 9);        // 50 / 0.5
        Assert.Equal(1000, f.RawReadMbPerS, 9);              // 50 / 0.05
        Assert.Equal(0.5, report.Ratios.CheckpointWriteOverRaw, 12);
        Assert.Equal(0.1, report.Ratios.CheckpointReadOverRaw, 12);
    }

    [Fact]
    public void TheMedianOfAnEvenCountIsTheMeanOfTheMiddleTwo()
    {
        Assert.Equal(2.0, PersistenceBench.Median([3.0, 1.0, 2.0]));
        Assert.Equal(2.5, PersistenceBench.Median([4.0, 1.0, 3.0, 2.0]));
    }

    [Fact]
    public async Task TheCommandWritesFiguresWhoseQuotientsAreTheRatios()
    {
        using var dir = new TempDir();
        string json = Path.Combine(dir.Path, "persistence.json");
        var bench = await ActorRlProcess.RunAsync(dir.Path,
            "bench", "persistence", "--json", json, "--events", "40", "--batch", "8", "--layers", "1", "--width", "64", "--rounds", "2");

        Assert.True(bench.ExitCode == ExitCodes.Success, bench.Stderr);
        using JsonDocument report = JsonDocument.Parse(File.ReadAllText(json));
        JsonElement root = report.RootElement;
        JsonElement figures = root.GetProperty("figures");
        JsonElement ratios = root.GetProperty("ratios");
        double Figure(string name) => figures.GetProperty(name).GetDouble();
        Assert.Equal(Figure("checkpoint_write_mb_per_s") / Figure("raw_write_mb_per_s"), ratios.GetProperty("checkpoint_write_over_raw").GetDouble(), 12);
        Assert.Equal(Figure("checkpoint_read_mb_per_s") / Figure("raw_read_mb_per_s"), ratios.GetProperty("checkpoint_read_over_raw").GetDouble(), 12);
        Assert.True(Figure("sqlite_events_per_s") > 0);
        Assert.True(Figure("sqlite_batched_events_per_s") > 0);
        Assert.True(Figure("sqlite_read_events_per_s") > 0);

        JsonElement checkpoint = root.GetProperty("checkpoint");
        Assert.Equal(2, checkpoint.GetProperty("write_seconds").GetArrayLength());
        Assert.Equal(2, checkpoint.GetProperty("raw_read_seconds").GetArrayLength());
        Assert.Equal(checkpoint.GetProperty("bytes").GetInt64() / 1e6, Figure("checkpoint_megabytes"), 12);

        // PostgreSQL is measured where its binaries are installed, and skipped with the reason where they are not.
        JsonElement postgres = root.GetProperty("postgres");
        bool measured = postgres.GetProperty("measured").GetBoolean();
        Assert.Equal(LocalPostgres.FindBinaries() is not null, measured);
        Assert.Equal(measured ? 4 : 2, root.GetProperty("journal").GetArrayLength());
        if (measured) Assert.True(Figure("postgres_events_per_s") > 0);
        else
        {
            Assert.Equal(JsonValueKind.Null, figures.GetProperty("postgres_events_per_s").ValueKind);
            Assert.Contains("not found", postgres.GetProperty("skipped_reason").GetString(), StringComparison.Ordinal);
        }
        Assert.True(root.GetProperty("machine").GetProperty("cores").GetInt32() >= 1);
    }

    [Fact]
    public async Task NoPostgresSkipsItWithTheReason()
    {
        using var dir = new TempDir();
        string json = Path.Combine(dir.Path, "persistence.json");
        var bench = await ActorRlProcess.RunAsync(dir.Path,
            "bench", "persistence", "--json", json, "--events", "10", "--layers", "1", "--width", "64", "--rounds", "1", "--no-postgres");

        Assert.True(bench.ExitCode == ExitCodes.Success, bench.Stderr);
        using JsonDocument report = JsonDocument.Parse(File.ReadAllText(json));
        JsonElement root = report.RootElement;
        Assert.False(root.GetProperty("postgres").GetProperty("measured").GetBoolean());
        Assert.Equal("--no-postgres was given", root.GetProperty("postgres").GetProperty("skipped_reason").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("figures").GetProperty("postgres_batched_events_per_s").ValueKind);
        Assert.Contains("PostgreSQL skipped", bench.Stderr, StringComparison.Ordinal);
    }
}

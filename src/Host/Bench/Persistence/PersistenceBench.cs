using ActorRL.Actors.Persistence;
using ActorRL.Host.Diagnostics;

namespace ActorRL.Host.Bench.Persistence;

/// <summary>
/// <c>actorrl bench persistence</c>'s measurements and their summary: journal events/s on SQLite and on a throw-away
/// PostgreSQL, and checkpoint MB/s against a raw copy of the same bytes, everything on the temp folder's disk.
/// </summary>
public static class PersistenceBench
{
    /// <summary>The SQLite journal's name in the results.</summary>
    public const string Sqlite = "sqlite";

    /// <summary>The PostgreSQL journal's name in the results.</summary>
    public const string Postgres = "postgres";

    /// <summary>Bytes in a megabyte, as the figures count them.</summary>
    public const double BytesPerMegabyte = 1e6;

    /// <summary>Runs every measurement in a new folder under the system temp folder, deleted afterwards.</summary>
    public static async Task<PersistenceBenchReport> RunAsync(PersistenceBenchSettings settings, Action<string> status, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        string directory = Directory.CreateTempSubdirectory("actorrl-bench-persistence-").FullName;
        try
        {
            var journal = new List<JournalRun>();
            await using (var sqlite = SqlPersistence.OpenSqlite(Path.Combine(directory, "journal.db")))
            {
                journal.AddRange(await JournalBench.MeasureAsync(Sqlite, sqlite.Journal, settings, status, cancellationToken));
            }

            PostgresStatus postgres;
            if (!settings.Postgres) postgres = new PostgresStatus(false, null, "--no-postgres was given");
            else
            {
                try
                {
                    status("postgres: starting a throw-away server");
                    await using LocalPostgres server = await LocalPostgres.StartAsync(Path.GetTempPath(), cancellationToken);
                    await using (var store = SqlPersistence.OpenPostgres(server.ConnectionString))
                    {
                        journal.AddRange(await JournalBench.MeasureAsync(Postgres, store.Journal, settings, status, cancellationToken));
                    }
                    postgres = new PostgresStatus(true, server.Version, null);
                }
                catch (LocalPostgresUnavailableException e)
                {
                    postgres = new PostgresStatus(false, null, e.Message.Split('\n')[0]);
                }
            }

            CheckpointTimes checkpoint = await Task.Run(() => CheckpointBench.Measure(directory, settings, status), cancellationToken);
            return Summarize(settings, journal, postgres, checkpoint, Storage(directory), MachineInfo.Current());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// The figures and ratios: a store's events/s are its one-event-per-write run's (and its batched run's), read
    /// events/s pool both runs (all events over all read time), checkpoint MB/s divide one checkpoint's bytes by the
    /// median round's seconds, and each ratio divides the checkpoint's MB/s by the raw copy's.
    /// </summary>
    public static PersistenceBenchReport Summarize(PersistenceBenchSettings settings, IReadOnlyList<JournalRun> journal,
        PostgresStatus postgres, CheckpointTimes checkpoint, string storage, MachineInfo machine)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(journal);
        ArgumentNullException.ThrowIfNull(checkpoint);
        double? Single(string store, int batch) => journal.FirstOrDefault(r => r.Store == store && r.Batch == batch)?.EventsPerS;
        double? Read(string store)
        {
            JournalRun[] runs = [.. journal.Where(r => r.Store == store)];
            return runs.Length == 0 ? null : runs.Sum(r => r.Events) / runs.Sum(r => r.ReadSeconds);
        }
        double MegabytesPerSecond(IReadOnlyList<double> seconds) => checkpoint.Bytes / BytesPerMegabyte / Median(seconds);

        var figures = new PersistenceFigures(
            Single(Sqlite, 1) ?? throw NoSqlite(),
            Single(Sqlite, settings.Batch) ?? throw NoSqlite(),
            Read(Sqlite) ?? throw NoSqlite(),
            Single(Postgres, 1),
            Single(Postgres, settings.Batch),
            Read(Postgres),
            checkpoint.Bytes / BytesPerMegabyte,
            MegabytesPerSecond(checkpoint.WriteSeconds),
            MegabytesPerSecond(checkpoint.RawWriteSeconds),
            MegabytesPerSecond(checkpoint.ReadSeconds),
            MegabytesPerSecond(checkpoint.RawReadSeconds));
        var ratios = new PersistenceRatios(
            figures.CheckpointWriteMbPerS / figures.RawWriteMbPerS,
            figures.CheckpointReadMbPerS / figures.RawReadMbPerS);
        string[] notes =
        [
            "MB = 10^6 bytes; checkpoint and raw figures use the median of the rounds, taken in turn in the same folder",
            "reads are not cold: dropping the page cache needs privileges, so checkpoint and raw copy are both read right after being written",
            "a checkpoint load reads every byte twice (SHA-256 verification of the manifest, then the tensors); the raw read reads once",
            "SQLite runs WAL with synchronous=FULL; PostgreSQL runs with its defaults (fsync and synchronous_commit on)",
        ];
        return new PersistenceBenchReport(settings, ratios, figures, journal, postgres, checkpoint, storage, notes, machine);
    }

    private static ArgumentException NoSqlite() => new("the journal runs hold no SQLite run of each batch size", "journal");

    /// <summary>The median of <paramref name="values"/> (the mean of the middle two for an even count).</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0) throw new ArgumentException("the median of no values", nameof(values));
        double[] sorted = [.. values.Order()];
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    // The folder and the file system under it, from the longest mount point containing it in /proc/self/mounts.
    private static string Storage(string directory)
    {
        string folder = Path.GetDirectoryName(directory) ?? directory;
        string[] mounts;
        try
        {
            mounts = File.ReadAllLines("/proc/self/mounts");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return folder;
        }
        string[]? mount = mounts
            .Select(line => line.Split(' '))
            .Where(f => f.Length >= 3 && (directory == f[1] || directory.StartsWith(f[1].TrimEnd('/') + "/", StringComparison.Ordinal)))
            .OrderBy(f => f[1].Length)
            .LastOrDefault(); // of equal mount points, the last one mounted is the one in use
        return mount is null ? folder : $"{folder} on {mount[0]} ({mount[2]}, mounted at {mount[1]})";
    }
}

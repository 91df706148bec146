using ActorRL.Host.Diagnostics;

namespace ActorRL.Host.Bench.Persistence;

/// <summary>The ratios of <c>actorrl bench persistence</c>: checkpoint throughput over a raw copy of the same bytes on the same disk.</summary>
/// <param name="CheckpointWriteOverRaw">Checkpoint save MB/s over raw write MB/s (goal ≥ 0.7).</param>
/// <param name="CheckpointReadOverRaw">Checkpoint load MB/s over raw read MB/s.</param>
public sealed record PersistenceRatios(double CheckpointWriteOverRaw, double CheckpointReadOverRaw)
{
    /// <summary>The least acceptable <see cref="CheckpointWriteOverRaw"/>.</summary>
    public const double WriteGoal = 0.7;
}

/// <summary>The single figures of <c>actorrl bench persistence</c>. PostgreSQL's are null when it was skipped.</summary>
/// <param name="SqliteEventsPerS">SQLite journal appends, one event per write.</param>
/// <param name="SqliteBatchedEventsPerS">SQLite journal appends, <see cref="PersistenceBenchSettings.Batch"/> events per write.</param>
/// <param name="SqliteReadEventsPerS">SQLite journal reads of both runs' events, pooled.</param>
/// <param name="PostgresEventsPerS">PostgreSQL journal appends, one event per write.</param>
/// <param name="PostgresBatchedEventsPerS">PostgreSQL journal appends, batched.</param>
/// <param name="PostgresReadEventsPerS">PostgreSQL journal reads, pooled.</param>
/// <param name="CheckpointMegabytes">Size of one checkpoint, all files (10^6 bytes).</param>
/// <param name="CheckpointWriteMbPerS">Checkpoint save (temp directory, safetensors, SHA-256, fsyncs, rename), median round.</param>
/// <param name="RawWriteMbPerS">The same bytes written to the same number of files with fsync each and of the directory, median round.</param>
/// <param name="CheckpointReadMbPerS">Checkpoint load (manifest verification, then the tensors), median round.</param>
/// <param name="RawReadMbPerS">The same files read once, median round.</param>
public sealed record PersistenceFigures(
    double SqliteEventsPerS,
    double SqliteBatchedEventsPerS,
    double SqliteReadEventsPerS,
    double? PostgresEventsPerS,
    double? PostgresBatchedEventsPerS,
    double? PostgresReadEventsPerS,
    double CheckpointMegabytes,
    double CheckpointWriteMbPerS,
    double RawWriteMbPerS,
    double CheckpointReadMbPerS,
    double RawReadMbPerS);

/// <summary>One journal run: <paramref name="Events"/> appended in writes of <paramref name="Batch"/>, then read back in one call.</summary>
/// <param name="Store">"sqlite" or "postgres".</param>
/// <param name="Batch">Events per <c>WriteAsync</c>.</param>
/// <param name="Events">Events written and read.</param>
/// <param name="WriteSeconds">Wall time of all the writes.</param>
/// <param name="ReadSeconds">Wall time of reading them back.</param>
public sealed record JournalRun(string Store, int Batch, int Events, double WriteSeconds, double ReadSeconds)
{
    /// <summary>Events appended per second.</summary>
    public double EventsPerS => Events / WriteSeconds;

    /// <summary>Events read per second.</summary>
    public double ReadEventsPerS => Events / ReadSeconds;
}

/// <summary>Whether the PostgreSQL journal was measured.</summary>
/// <param name="Measured">True when a server was started and measured.</param>
/// <param name="Version">The server's version, when measured.</param>
/// <param name="SkippedReason">Why it was not, otherwise.</param>
public sealed record PostgresStatus(bool Measured, string? Version, string? SkippedReason);

/// <summary>The checkpoint timings, one entry per timed round.</summary>
/// <param name="Parameters">Model parameters (the AdamW state holds two more of each).</param>
/// <param name="Files">Files in one checkpoint, manifest included; the raw copy writes as many.</param>
/// <param name="Bytes">Bytes of one checkpoint, all files.</param>
/// <param name="WriteSeconds">Checkpoint saves.</param>
/// <param name="RawWriteSeconds">Raw writes of the same bytes.</param>
/// <param name="ReadSeconds">Checkpoint loads.</param>
/// <param name="RawReadSeconds">Raw reads of the same bytes.</param>
public sealed record CheckpointTimes(
    long Parameters, int Files, long Bytes,
    IReadOnlyList<double> WriteSeconds, IReadOnlyList<double> RawWriteSeconds,
    IReadOnlyList<double> ReadSeconds, IReadOnlyList<double> RawReadSeconds);

/// <summary>What <c>actorrl bench persistence</c> measured.</summary>
/// <param name="Settings">Sizes and counts.</param>
/// <param name="Ratios">Ratios.</param>
/// <param name="Figures">Figures.</param>
/// <param name="Journal">Every journal run.</param>
/// <param name="Postgres">Whether PostgreSQL was measured, and why not.</param>
/// <param name="Checkpoint">Every checkpoint timing.</param>
/// <param name="Storage">The folder everything was written to, and its file system.</param>
/// <param name="Notes">How to read the figures.</param>
/// <param name="Machine">Processor, cores, operating system, runtime.</param>
public sealed record PersistenceBenchReport(
    PersistenceBenchSettings Settings,
    PersistenceRatios Ratios,
    PersistenceFigures Figures,
    IReadOnlyList<JournalRun> Journal,
    PostgresStatus Postgres,
    CheckpointTimes Checkpoint,
    string Storage,
    IReadOnlyList<string> Notes,
    MachineInfo Machine);

using System.Diagnostics;
using ActorRL.Actors.Persistence;

namespace ActorRL.Host.Bench.Persistence;

/// <summary>
/// Journal throughput through <see cref="IJournal"/>: events of a fixed payload appended in writes of one and of a
/// batch, each run under its own persistence id, then read back in one call (as a recovering actor replays them).
/// </summary>
public static class JournalBench
{
    /// <summary>The manifest every benchmark event carries.</summary>
    public const string Manifest = "bench.Event";

    /// <summary>
    /// Measures <paramref name="journal"/> (named <paramref name="store"/> in the results): one untimed write that creates
    /// the schema and opens the connection, then a run with one event per write and one with
    /// <see cref="PersistenceBenchSettings.Batch"/> per write.
    /// </summary>
    public static async Task<IReadOnlyList<JournalRun>> MeasureAsync(string store, IJournal journal, PersistenceBenchSettings settings,
        Action<string> status, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(journal);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(status);
        var random = new Random(0);
        byte[] payload = new byte[settings.PayloadBytes];
        random.NextBytes(payload);
        await journal.WriteAsync([new PersistentRepr("bench-warmup", 1, Manifest, payload, DateTimeOffset.UtcNow)], cancellationToken);

        var runs = new List<JournalRun>();
        foreach (int batch in new[] { 1, settings.Batch }.Distinct())
        {
            status($"{store}: {settings.Events} events, {batch} per write");
            string id = $"bench-batch-{batch}";
            PersistentRepr[] events = [.. Enumerable.Range(1, settings.Events).Select(i =>
            {
                byte[] bytes = new byte[settings.PayloadBytes];
                random.NextBytes(bytes);
                return new PersistentRepr(id, i, Manifest, bytes, DateTimeOffset.UtcNow);
            })];

            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < events.Length; i += batch)
            {
                await journal.WriteAsync(new ArraySegment<PersistentRepr>(events, i, Math.Min(batch, events.Length - i)), cancellationToken);
            }
            double write = Stopwatch.GetElapsedTime(start).TotalSeconds;

            status($"{store}: reading {settings.Events} events back");
            start = Stopwatch.GetTimestamp();
            IReadOnlyList<PersistentRepr> read = await journal.ReadAsync(id, 1, settings.Events, cancellationToken);
            double readSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            if (read.Count != settings.Events)
            {
                throw new InvalidOperationException($"{store}: read {read.Count} events back, not the {settings.Events} written");
            }
            runs.Add(new JournalRun(store, batch, settings.Events, write, readSeconds));
        }
        return runs;
    }
}

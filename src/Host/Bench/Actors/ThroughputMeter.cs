using System.Diagnostics;
using System.Globalization;
using ActorRL.Host.Cli;

namespace ActorRL.Host.Bench.Actors;

/// <summary>
/// Times a <see cref="IThroughputWorkload"/>: warm-up batches of doubling size until the warm-up time
/// has passed and the last batch took a quarter of it, then one batch sized from the last warm-up
/// batch's rate to take the measuring time.
/// </summary>
internal static class ThroughputMeter
{
    private const long FirstBatchUnits = 256;

    /// <summary>Messages per second of the timed batch.</summary>
    /// <exception cref="CommandFailedException">A batch did not finish in time (a lost message or a hung actor).</exception>
    public static async Task<double> MeasureAsync(IThroughputWorkload workload, string what, TimeSpan warmup, TimeSpan duration,
        CancellationToken cancellationToken)
    {
        TimeSpan limit = TimeSpan.FromSeconds(Math.Max(10, 20 * Math.Max(warmup.TotalSeconds, duration.TotalSeconds)));
        long units = FirstBatchUnits;
        TimeSpan spent = TimeSpan.Zero;
        TimeSpan last;
        while (true)
        {
            last = await TimeAsync(workload, units, what, limit, cancellationToken);
            spent += last;
            if (spent >= warmup && last >= warmup / 4) break;
            if (last < warmup / 4) units *= 2;
        }
        double unitsPerSecond = units / last.TotalSeconds;
        long timedUnits = Math.Max(1, (long)(unitsPerSecond * duration.TotalSeconds));
        TimeSpan elapsed = await TimeAsync(workload, timedUnits, what, limit, cancellationToken);
        return timedUnits * workload.MessagesPerUnit / elapsed.TotalSeconds;
    }

    private static async Task<TimeSpan> TimeAsync(IThroughputWorkload workload, long units, string what, TimeSpan limit,
        CancellationToken cancellationToken)
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            await workload.RunAsync(units).WaitAsync(limit, cancellationToken);
        }
        catch (TimeoutException e)
        {
            throw new CommandFailedException(string.Create(CultureInfo.InvariantCulture,
                $"{what}: {units * workload.MessagesPerUnit} messages were not all handled within {limit.TotalSeconds:0} s"), e);
        }
        return Stopwatch.GetElapsedTime(start);
    }
}

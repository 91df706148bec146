using System.Diagnostics;
using ActorRL.Host.Diagnostics;

namespace ActorRL.Host.Bench.Actors;

/// <summary>
/// Times a <see cref="ILatencyWorkload"/>: sequential round trips (the next starts when the previous
/// has completed) for the warm-up time, untimed, then for the measuring time, each one timed.
/// </summary>
internal static class LatencyMeter
{
    private static readonly double MicrosecondsPerTick = 1e6 / Stopwatch.Frequency;

    /// <summary>The median and 99th percentile of the timed round trips, in microseconds.</summary>
    public static async Task<(double P50, double P99)> MeasureAsync(ILatencyWorkload workload, TimeSpan warmup, TimeSpan duration,
        CancellationToken cancellationToken)
    {
        await RunForAsync(workload, warmup, samples: null, cancellationToken);
        var samples = new List<double>(1 << 16);
        await RunForAsync(workload, duration, samples, cancellationToken);
        return (Statistics.Percentile(samples, 50), Statistics.Percentile(samples, 99));
    }

    private static async Task RunForAsync(ILatencyWorkload workload, TimeSpan duration, List<double>? samples,
        CancellationToken cancellationToken)
    {
        long end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        long now;
        do
        {
            cancellationToken.ThrowIfCancellationRequested();
            long start = Stopwatch.GetTimestamp();
            await workload.RoundTripAsync();
            now = Stopwatch.GetTimestamp();
            // Not through TimeSpan, whose 100 ns ticks are too coarse for a round trip of a few hundred nanoseconds.
            samples?.Add((now - start) * MicrosecondsPerTick);
        }
        while (now < end);
    }
}

using System.Globalization;
using ActorRL.Host.Reports;

namespace ActorRL.Host.Progress;

/// <summary>How progress lines and the live display write numbers and times: short, invariant, always the same.</summary>
public static class ProgressFormat
{
    // What a stage's line shows of its step's figures; the rest is in metrics.jsonl.
    private static readonly string[] StageFigureNames = ["loss", "accuracy"];

    /// <summary>
    /// A figure to three significant digits (<c>0.41</c>, <c>0.0123</c>), whole from 100 up (<c>850</c>), <c>nan</c>
    /// when not a number.
    /// </summary>
    public static string Figure(double value)
    {
        if (double.IsNaN(value)) return "nan";
        if (double.IsInfinity(value)) return value > 0 ? "inf" : "-inf";
        return Math.Abs(value) >= 100
            ? value.ToString("0", CultureInfo.InvariantCulture)
            : value.ToString("G3", CultureInfo.InvariantCulture);
    }

    /// <summary>A fraction as a whole percentage (<c>0.123</c> is <c>12%</c>).</summary>
    public static string Percent(double fraction) =>
        double.IsFinite(fraction) ? (100 * fraction).ToString("0", CultureInfo.InvariantCulture) + "%" : "nan";

    /// <summary>A duration to the second: <c>45s</c>, <c>1m20s</c>, <c>2h05m</c> (minutes from an hour up).</summary>
    public static string Duration(TimeSpan duration)
    {
        long seconds = (long)Math.Round(Math.Max(0, duration.TotalSeconds));
        if (seconds < 60) return string.Create(CultureInfo.InvariantCulture, $"{seconds}s");
        if (seconds < 3600) return string.Create(CultureInfo.InvariantCulture, $"{seconds / 60}m{seconds % 60:00}s");
        long minutes = seconds / 60;
        return string.Create(CultureInfo.InvariantCulture, $"{minutes / 60}h{minutes % 60:00}m");
    }

    /// <summary>
    /// The figures an RL step is followed by: <c>reward 0.41 kl 0.012 tok/s 850 idle 12%</c>; a figure the step did
    /// not measure is left out.
    /// </summary>
    public static string RlFigures(IReadOnlyDictionary<string, double> metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var parts = new List<string>(4);
        if (metrics.TryGetValue(MetricNames.RewardMean, out double reward)) parts.Add("reward " + Figure(reward));
        if (metrics.TryGetValue(MetricNames.Kl, out double kl)) parts.Add("kl " + Figure(kl));
        if (metrics.TryGetValue(MetricNames.TokensPerSecond, out double tokens)) parts.Add("tok/s " + Figure(tokens));
        if (metrics.TryGetValue(MetricNames.LearnerIdleFraction, out double idle)) parts.Add("idle " + Percent(idle));
        return string.Join(' ', parts);
    }

    /// <summary>The figures a pre-RL stage's step is followed by: <c>loss 1.23 accuracy 0.5</c>, those measured only.</summary>
    public static string StageFigures(IReadOnlyDictionary<string, double> metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        return string.Join(' ', StageFigureNames.Where(metrics.ContainsKey).Select(n => $"{n} {Figure(metrics[n])}"));
    }
}

namespace ActorRL.Host.Reports;

/// <summary>What one step of one stage measured: one line of <c>metrics.jsonl</c>.</summary>
/// <param name="Step">The step number within the stage (the coordinator's step counter).</param>
/// <param name="Timestamp">When the step finished.</param>
/// <param name="Stage">The stage the step belongs to (<c>sft</c>, <c>reward_model</c>, <c>dpo</c>, <c>rl</c>).</param>
/// <param name="Values">
/// Named measurements, keyed by snake_case names (see <see cref="MetricNames"/>); the set is open,
/// so an objective adds its own diagnostics without touching this type.
/// </param>
public sealed record StepMetrics(long Step, DateTimeOffset Timestamp, string Stage, IReadOnlyDictionary<string, double> Values)
{
    /// <summary>The value of <paramref name="name"/>, or NaN where this step did not measure it.</summary>
    public double this[string name] => Values.TryGetValue(name, out var value) ? value : double.NaN;
}

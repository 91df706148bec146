using System.Text.Json.Nodes;

namespace ActorRL.Host.Configuration;

/// <summary>
/// Whether a run directory's checkpoint can be continued under a new configuration. What shapes the model, the data,
/// the stages, the objective or the optimizer must be the same; what only changes how the run is carried out or reported
/// (the step count, the schedule, workers, checkpoint cadence, evaluation, threads) may differ.
/// </summary>
public static class ResumeCompatibility
{
    /// <summary>Keys (and sections, ending with '.') a resumed run may change.</summary>
    public static readonly IReadOnlyList<string> Harmless =
    [
        "run.dir", "run.checkpoint_every", "run.keep_checkpoints", "run.keep_best", "run.keep_best_higher", "rl.steps", "rl.schedule", "rl.staleness", "rl.rollout_workers",
        "eval.", "torch.",
    ];

    /// <summary>
    /// Keys a resumed run may change although the run then no longer repeats an uninterrupted one: the learning rate, so
    /// that a run that diverged can go on from its last checkpoint with a smaller one. They are reported by
    /// <see cref="Retuned"/>.
    /// </summary>
    public static readonly IReadOnlyList<string> Tunable = ["rl.lr"];

    /// <summary>The <see cref="Tunable"/> keys whose value differs, with both values.</summary>
    /// <param name="saved">The configuration the run directory was trained with.</param>
    /// <param name="current">The configuration of this run, in the same shape.</param>
    public static IReadOnlyList<(string Key, string Was, string Now)> Retuned(JsonObject saved, JsonObject current)
    {
        ArgumentNullException.ThrowIfNull(saved);
        ArgumentNullException.ThrowIfNull(current);
        var before = Flatten(saved);
        var after = Flatten(current);
        return [.. Tunable
            .Select(key => (Key: key, Was: before.GetValueOrDefault(key) ?? "(not set)", Now: after.GetValueOrDefault(key) ?? "(not set)"))
            .Where(c => c.Was != c.Now)];
    }

    /// <summary>The first key whose value differs where it must not, with both values, or null when the run can continue.</summary>
    /// <param name="saved">The configuration the run directory was trained with (its <c>config.json</c>).</param>
    /// <param name="current">The configuration of this run, in the same shape (<see cref="RunSettingsMapper.ToJson"/>).</param>
    public static (string Key, string Was, string Now)? FirstConflict(JsonObject saved, JsonObject current)
    {
        ArgumentNullException.ThrowIfNull(saved);
        ArgumentNullException.ThrowIfNull(current);
        var before = Flatten(saved);
        var after = Flatten(current);
        foreach (string key in before.Keys.Union(after.Keys).Order(StringComparer.Ordinal))
        {
            if (Tunable.Contains(key) || Harmless.Any(h => h.EndsWith('.') ? key.StartsWith(h, StringComparison.Ordinal) : key == h)) continue;
            string was = before.GetValueOrDefault(key) ?? "(not set)", now = after.GetValueOrDefault(key) ?? "(not set)";
            if (was != now) return (key, was, now);
        }
        return null;
    }

    private static Dictionary<string, string?> Flatten(JsonNode node)
    {
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        void Walk(JsonNode? n, string path)
        {
            if (n is JsonObject o)
            {
                foreach ((string key, JsonNode? child) in o) Walk(child, path.Length == 0 ? key : $"{path}.{key}");
            }
            else values[path] = n?.ToJsonString();
        }
        Walk(node, "");
        return values;
    }
}

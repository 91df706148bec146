using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ActorRL.Host.Reports;

/// <summary>
/// The JSON form of one <see cref="StepMetrics"/>: a flat object with <c>step</c>, <c>timestamp</c>
/// (ISO 8601), <c>stage</c>, then one member per measurement. Finite values are written in their
/// shortest round-trip form; NaN and the infinities as the strings <c>"NaN"</c>, <c>"Infinity"</c>
/// and <c>"-Infinity"</c> (plain JSON has no literal for them), so every value reads back exactly.
/// </summary>
public static class MetricsLine
{
    private static readonly string[] Reserved = ["step", "timestamp", "stage"];

    /// <summary>The line for <paramref name="metrics"/>, without the trailing newline.</summary>
    /// <exception cref="ArgumentException">A measurement name is not snake_case or is one of the reserved member names.</exception>
    public static string Format(StepMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("step", metrics.Step);
            json.WriteString("timestamp", metrics.Timestamp.ToString("O", CultureInfo.InvariantCulture));
            json.WriteString("stage", metrics.Stage);
            foreach (var (name, value) in metrics.Values)
            {
                if (!MetricNames.IsSnakeCase(name) || Reserved.Contains(name))
                {
                    throw new ArgumentException($"Metric name '{name}' must be snake_case and not one of {string.Join(", ", Reserved)}.", nameof(metrics));
                }

                if (double.IsFinite(value))
                {
                    json.WriteNumber(name, value);
                }
                else
                {
                    json.WriteString(name, value.ToString(CultureInfo.InvariantCulture));
                }
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Reads a line written by <see cref="Format"/>.</summary>
    /// <exception cref="FormatException">The line is not such an object (for example, cut short by a crash).</exception>
    public static StepMetrics Parse(string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            var step = root.GetProperty("step").GetInt64();
            var timestamp = DateTimeOffset.Parse(root.GetProperty("timestamp").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
            var stage = root.GetProperty("stage").GetString()!;
            var values = new Dictionary<string, double>();
            foreach (var member in root.EnumerateObject())
            {
                if (Reserved.Contains(member.Name))
                {
                    continue;
                }

                values[member.Name] = member.Value.ValueKind == JsonValueKind.String
                    ? double.Parse(member.Value.GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture)
                    : member.Value.GetDouble();
            }

            return new StepMetrics(step, timestamp, stage, values);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentNullException)
        {
            throw new FormatException($"Not a metrics line: {e.Message}", e);
        }
    }
}

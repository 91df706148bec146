using System.Text;

namespace ActorRL.Host.Reports;

/// <summary>What <see cref="MetricsReader"/> found in a metrics file.</summary>
/// <param name="Steps">One entry per (stage, step), the last logged; stages in order of first appearance, steps ascending within a stage.</param>
/// <param name="LineCount">Complete lines read.</param>
/// <param name="ReplacedLines">Lines superseded by a later line for the same (stage, step), as after a resume.</param>
/// <param name="TruncatedLastLine">The unfinished last line (a crash mid-write), ignored; null if the file ends cleanly.</param>
public sealed record MetricsFile(IReadOnlyList<StepMetrics> Steps, int LineCount, int ReplacedLines, string? TruncatedLastLine);

/// <summary>Reads <c>metrics.jsonl</c> as written by <see cref="MetricsLog"/>.</summary>
public static class MetricsReader
{
    /// <summary>
    /// Reads <paramref name="path"/>. A last line that does not parse is what a crash mid-write
    /// leaves: it is skipped and returned in <see cref="MetricsFile.TruncatedLastLine"/>. A line
    /// that does not parse anywhere else is damage no crash explains and fails the read. When a
    /// (stage, step) appears more than once, the last line wins.
    /// </summary>
    /// <exception cref="InvalidDataException">A line other than the last is not a metrics line.</exception>
    public static MetricsFile Read(string path)
    {
        var text = File.ReadAllText(path, Encoding.UTF8);
        var lines = text.Split('\n');
        var stageOrder = new List<string>();
        var byStage = new Dictionary<string, SortedDictionary<long, StepMetrics>>();
        var count = 0;
        var replaced = 0;
        string? truncated = null;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var isLast = i == lines.Length - 1;
            if (line.Length == 0)
            {
                continue;
            }

            StepMetrics metrics;
            try
            {
                metrics = MetricsLine.Parse(line);
            }
            catch (FormatException e)
            {
                if (isLast)
                {
                    truncated = line;
                    continue;
                }

                throw new InvalidDataException($"{path}:{i + 1}: {e.Message}", e);
            }

            count++;
            if (!byStage.TryGetValue(metrics.Stage, out var steps))
            {
                steps = [];
                byStage[metrics.Stage] = steps;
                stageOrder.Add(metrics.Stage);
            }

            if (steps.ContainsKey(metrics.Step))
            {
                replaced++;
            }

            steps[metrics.Step] = metrics;
        }

        var all = stageOrder.SelectMany(stage => byStage[stage].Values).ToList();
        return new MetricsFile(all, count, replaced, truncated);
    }
}

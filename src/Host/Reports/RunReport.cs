using System.Globalization;
using System.Text;

namespace ActorRL.Host.Reports;

/// <summary>
/// Writes a run's report directory: <c>report.md</c> (title, configuration, stages, result
/// tables, links to the plots) and <c>plots/&lt;stage&gt;_&lt;metric&gt;.svg</c>, one per plotted metric
/// for every stage that measured it.
/// </summary>
/// <remarks>
/// The report is written into a sibling temporary directory and renamed into place, as
/// checkpoints are, so a report directory that exists is always whole; an earlier report at the
/// same path is replaced.
/// </remarks>
public static class RunReport
{
    /// <summary>The Markdown file's name in the report directory.</summary>
    public const string MarkdownFile = "report.md";

    /// <summary>The plots' folder in the report directory.</summary>
    public const string PlotsFolder = "plots";

    /// <summary>The curves every report plots.</summary>
    public static readonly IReadOnlyList<string> DefaultPlots = [MetricNames.RewardMean, MetricNames.Kl, MetricNames.Entropy];

    /// <summary>Writes the report for <paramref name="summary"/> and <paramref name="metrics"/> to <paramref name="reportDir"/>.</summary>
    /// <returns>The plot files written, relative to <paramref name="reportDir"/>.</returns>
    public static IReadOnlyList<string> Write(string reportDir, RunSummary summary, IReadOnlyList<StepMetrics> metrics)
    {
        var full = Path.GetFullPath(reportDir).TrimEnd(Path.DirectorySeparatorChar);
        var parent = Path.GetDirectoryName(full) ?? throw new ArgumentException("The report directory has no parent.", nameof(reportDir));
        Directory.CreateDirectory(parent);
        var temp = $"{full}.tmp-{Guid.NewGuid():N}";
        Directory.CreateDirectory(Path.Combine(temp, PlotsFolder));
        try
        {
            var plots = WritePlots(temp, summary, metrics);
            File.WriteAllText(Path.Combine(temp, MarkdownFile), Markdown(summary, plots), new UTF8Encoding(false));
            Replace(temp, full);
            return plots.Select(p => p.File).ToList();
        }
        catch
        {
            if (Directory.Exists(temp))
            {
                Directory.Delete(temp, recursive: true);
            }

            throw;
        }
    }

    private sealed record Plot(string Stage, string Metric, string File);

    private static List<Plot> WritePlots(string dir, RunSummary summary, IReadOnlyList<StepMetrics> metrics)
    {
        var plots = new List<Plot>();
        var names = DefaultPlots.Concat(summary.ExtraPlots).Distinct().ToList();
        foreach (var stage in metrics.Select(m => m.Stage).Distinct())
        {
            var steps = metrics.Where(m => m.Stage == stage).OrderBy(m => m.Step).ToList();
            foreach (var name in names)
            {
                if (!steps.Any(m => double.IsFinite(m[name])))
                {
                    continue;
                }

                var file = $"{PlotsFolder}/{FileSafe(stage)}_{FileSafe(name)}.svg";
                SvgLinePlot.Write(Path.Combine(dir, file), $"{name} ({stage})", "step", name,
                    steps.Select(m => (double)m.Step).ToList(), steps.Select(m => m[name]).ToList());
                plots.Add(new Plot(stage, name, file));
            }
        }

        return plots;
    }

    private static string Markdown(RunSummary summary, List<Plot> plots)
    {
        var md = new StringBuilder();
        md.Append("# ").AppendLine(Cell(summary.Title)).AppendLine();
        if (summary.Config.Count > 0)
        {
            md.AppendLine("## Configuration").AppendLine();
            AppendTable(md, ["Key", "Value"], summary.Config.Select(kv => (IReadOnlyList<string>)[kv.Key, kv.Value]));
        }

        if (summary.Stages.Count > 0)
        {
            md.AppendLine("## Stages").AppendLine();
            AppendTable(md, ["Stage", "Duration"], summary.Stages.Select(s => (IReadOnlyList<string>)
                [s.Name, Duration(s.Duration) + (s.Reused ? " (reused)" : "")]));
        }

        foreach (var table in summary.Tables)
        {
            md.Append("## ").AppendLine(Cell(table.Title)).AppendLine();
            AppendTable(md, table.Headers, table.Rows);
        }

        if (plots.Count > 0)
        {
            md.AppendLine("## Curves").AppendLine();
            foreach (var plot in plots)
            {
                md.Append("![").Append(Cell($"{plot.Metric} ({plot.Stage})")).Append("](").Append(plot.File).AppendLine(")").AppendLine();
            }
        }

        return md.ToString();
    }

    private static void AppendTable(StringBuilder md, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        md.Append("| ").AppendJoin(" | ", headers.Select(Cell)).AppendLine(" |");
        md.Append('|').AppendJoin("", headers.Select(_ => "---|")).AppendLine();
        foreach (var row in rows)
        {
            md.Append("| ").AppendJoin(" | ", row.Select(Cell)).AppendLine(" |");
        }

        md.AppendLine();
    }

    // A cell must stay on one line and not close its column early.
    private static string Cell(string text) =>
        text.Replace("\r", "", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal).Replace("|", "\\|", StringComparison.Ordinal);

    private static string Duration(TimeSpan duration) =>
        duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";

    private static string FileSafe(string name) =>
        new(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? char.ToLowerInvariant(c) : '-').ToArray());

    private static void Replace(string temp, string target)
    {
        if (!Directory.Exists(target))
        {
            Directory.Move(temp, target);
            return;
        }

        var old = $"{target}.old-{Guid.NewGuid():N}";
        Directory.Move(target, old);
        Directory.Move(temp, target);
        Directory.Delete(old, recursive: true);
    }
}

using System.Xml.Linq;
using ActorRL.Host.Reports;

namespace ActorRL.Host.Tests.Reports;

public class RunReportTests
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static List<StepMetrics> Metrics() =>
    [
        .. Enumerable.Range(1, 3).Select(i => new StepMetrics(i, T0.AddSeconds(i), "sft", new Dictionary<string, double> { ["loss"] = 3.0 / i })),
        .. Enumerable.Range(1, 4).Select(i => new StepMetrics(i, T0.AddSeconds(10 + i), "rl", new Dictionary<string, double>
        {
            [MetricNames.RewardMean] = 0.1 * i,
            [MetricNames.Kl] = i == 2 ? double.NaN : 0.01 * i,
            [MetricNames.Entropy] = 1.5,
            [MetricNames.DrtoEss] = 10 + i,
        })),
    ];

    private static RunSummary Summary() => new(
        "Quickstart | DRTO",
        [new("objective.name", "drto"), new("run.dir", "runs/q")],
        [new StageSummary("sft", TimeSpan.FromSeconds(12.34)), new StageSummary("rl", TimeSpan.FromMinutes(2), Reused: false)],
        [ReportTable.Evaluation([new EvaluationResult("in-distribution", 0.625, 0.875), new EvaluationResult("shifted", 0.5, 0.4375)])],
        [MetricNames.DrtoEss, "loss"]);

    [Fact]
    public void MarkdownHasTheEvaluationTableAndLinksToPlotsThatExist()
    {
        using var dir = new TempDir();
        var reportDir = Path.Combine(dir.Path, "report");
        var plots = RunReport.Write(reportDir, Summary(), Metrics());

        var md = File.ReadAllText(Path.Combine(reportDir, "report.md"));
        Assert.StartsWith("# Quickstart \\| DRTO\n", md.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("| Evaluation set | Before RL | After RL | Change |", md, StringComparison.Ordinal);
        Assert.Contains("| in-distribution | 62.5% | 87.5% | +25.0 pp |", md, StringComparison.Ordinal);
        Assert.Contains("| shifted | 50.0% | 43.8% | -6.3 pp |", md, StringComparison.Ordinal);
        Assert.Contains("| objective.name | drto |", md, StringComparison.Ordinal);
        Assert.Contains("| sft | 12.3 s |", md, StringComparison.Ordinal);
        Assert.Contains("| rl | 120.0 s |", md, StringComparison.Ordinal);

        // sft measured only loss; rl measured the defaults and drto_ess.
        Assert.Equal(["plots/sft_loss.svg", "plots/rl_reward_mean.svg", "plots/rl_kl.svg", "plots/rl_entropy.svg", "plots/rl_drto_ess.svg"], plots);
        var links = System.Text.RegularExpressions.Regex.Matches(md, @"!\[[^\]]*\]\(([^)]+)\)").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(plots, links);
        Assert.All(links, l => Assert.True(File.Exists(Path.Combine(reportDir, l)), l));

        var kl = XDocument.Load(Path.Combine(reportDir, "plots/rl_kl.svg")).Root!;
        var series = kl.Descendants().Where(e => (string?)e.Attribute("class") == "series").ToList();
        Assert.Equal(2, series.Count); // step 2's NaN splits the line
        Assert.Equal([reportDir], Directory.GetDirectories(dir.Path)); // no temporary directory left behind
    }

    [Fact]
    public void RewritingReplacesTheEarlierReportWhole()
    {
        using var dir = new TempDir();
        var reportDir = Path.Combine(dir.Path, "report");
        RunReport.Write(reportDir, Summary(), Metrics());
        var later = Summary() with { Title = "Second", ExtraPlots = [] };
        var plots = RunReport.Write(reportDir, later, Metrics().Where(m => m.Stage == "rl").ToList());

        Assert.StartsWith("# Second", File.ReadAllText(Path.Combine(reportDir, "report.md")), StringComparison.Ordinal);
        Assert.Equal(["plots/rl_reward_mean.svg", "plots/rl_kl.svg", "plots/rl_entropy.svg"], plots);
        Assert.Equal(plots.Order(), Directory.GetFiles(Path.Combine(reportDir, "plots")).Select(f => "plots/" + Path.GetFileName(f)).Order());
        Assert.Equal([reportDir], Directory.GetDirectories(dir.Path));
    }

    [Fact]
    public void RowWithWrongCellCountIsRefused() =>
        Assert.Throws<ArgumentException>(() => new ReportTable("t", ["a", "b"], [["1"]]));
}

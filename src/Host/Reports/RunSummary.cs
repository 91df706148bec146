namespace ActorRL.Host.Reports;

/// <summary>What the report says about a run besides its curves.</summary>
/// <param name="Title">The report's title.</param>
/// <param name="Config">Configuration keys and values worth showing, in order.</param>
/// <param name="Stages">The stages run, in order.</param>
/// <param name="Tables">Result tables (the evaluation table first, usually).</param>
/// <param name="ExtraPlots">Metric names plotted besides <see cref="RunReport.DefaultPlots"/>.</param>
public sealed record RunSummary(
    string Title,
    IReadOnlyList<KeyValuePair<string, string>> Config,
    IReadOnlyList<StageSummary> Stages,
    IReadOnlyList<ReportTable> Tables,
    IReadOnlyList<string> ExtraPlots);

/// <summary>One stage of a run.</summary>
/// <param name="Name">The stage's name, as in the metrics' <c>stage</c>.</param>
/// <param name="Duration">Wall time the stage took.</param>
/// <param name="Reused">Whether the stage's result came from an earlier run's checkpoint instead of being computed.</param>
public sealed record StageSummary(string Name, TimeSpan Duration, bool Reused = false);

using System.Globalization;
using ActorRL.Host.Reports;
using ActorRL.Models.Rlhf;

namespace ActorRL.Host.Progress;

/// <summary>The tables of evaluation figures that <c>actorrl train</c> and <c>actorrl eval</c> print and report.</summary>
public static class EvaluationTable
{
    /// <summary>The placeholder for a figure one side did not measure.</summary>
    public const string Missing = "-";

    /// <summary>
    /// One row per figure (in the order of <paramref name="before"/>, then figures only <paramref name="after"/> has):
    /// its value before RL (the SFT policy), after RL, and the change with its sign, marked <c>(better)</c> or
    /// <c>(worse)</c> by the figure's direction. Values have three decimals.
    /// </summary>
    public static ReportTable BeforeAfter(IReadOnlyList<EvalFigure> before, IReadOnlyList<EvalFigure> after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var names = before.Select(f => f.Name).Concat(after.Select(f => f.Name)).Distinct(StringComparer.Ordinal);
        var rows = names.Select(name =>
        {
            EvalFigure? b = before.FirstOrDefault(f => f.Name == name);
            EvalFigure? a = after.FirstOrDefault(f => f.Name == name);
            return (IReadOnlyList<string>)[name, Value(b), Value(a), Change(b, a)];
        }).ToList();
        return new ReportTable("Evaluation", ["figure", "before (SFT)", "after (RL)", "change"], rows);
    }

    /// <summary>One row per figure: its value (three decimals) and whether higher or lower is better.</summary>
    public static ReportTable Single(string title, IReadOnlyList<EvalFigure> figures)
    {
        ArgumentNullException.ThrowIfNull(figures);
        var rows = figures.Select(f => (IReadOnlyList<string>)[f.Name, Value(f), f.HigherIsBetter ? "higher" : "lower"]).ToList();
        return new ReportTable(title, ["figure", "value", "better"], rows);
    }

    private static string Value(EvalFigure? figure) =>
        figure is null ? Missing : figure.Value.ToString("0.000", CultureInfo.InvariantCulture);

    private static string Change(EvalFigure? before, EvalFigure? after)
    {
        if (before is null || after is null) return Missing;
        // Rounded first, so that the change agrees with the two values printed beside it.
        double delta = Math.Round(after.Value, 3) - Math.Round(before.Value, 3);
        string text = delta.ToString("+0.000;-0.000;0.000", CultureInfo.InvariantCulture);
        if (Math.Abs(delta) < 0.0005 || !double.IsFinite(delta)) return text;
        return text + ((delta > 0) == after.HigherIsBetter ? " (better)" : " (worse)");
    }
}

using System.Globalization;

namespace ActorRL.Host.Reports;

/// <summary>A table for the report: a title, column headers and rows of already formatted cells.</summary>
public sealed record ReportTable
{
    /// <summary>A table; every row has one cell per header.</summary>
    /// <exception cref="ArgumentException">A row's length differs from the header count.</exception>
    public ReportTable(string title, IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        for (var i = 0; i < rows.Count; i++)
        {
            if (rows[i].Count != headers.Count)
            {
                throw new ArgumentException($"Row {i} of table '{title}' has {rows[i].Count} cells for {headers.Count} headers.", nameof(rows));
            }
        }

        Title = title;
        Headers = headers;
        Rows = rows;
    }

    /// <summary>The heading above the table.</summary>
    public string Title { get; }

    /// <summary>The column headers.</summary>
    public IReadOnlyList<string> Headers { get; }

    /// <summary>The rows, one cell per header.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Rows { get; }

    /// <summary>
    /// The evaluation table: one row per evaluation set, accuracy before and after RL as
    /// percentages with one decimal (0.625 is <c>62.5%</c>), and the change in percentage points
    /// with its sign (<c>+25.0 pp</c>).
    /// </summary>
    public static ReportTable Evaluation(IEnumerable<EvaluationResult> results)
    {
        var rows = results.Select(r => (IReadOnlyList<string>)
        [
            r.Set,
            Percent(r.BeforeRl),
            Percent(r.AfterRl),
            (100 * (r.AfterRl - r.BeforeRl)).ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture) + " pp",
        ]).ToList();
        return new ReportTable("Evaluation", ["Evaluation set", "Before RL", "After RL", "Change"], rows);
    }

    private static string Percent(double fraction) =>
        (100 * fraction).ToString("0.0", CultureInfo.InvariantCulture) + "%";
}

/// <summary>Accuracy on one evaluation set before and after RL.</summary>
/// <param name="Set">The evaluation set (<c>in-distribution</c>, <c>shifted</c>).</param>
/// <param name="BeforeRl">Accuracy of the SFT model, in [0, 1].</param>
/// <param name="AfterRl">Accuracy of the RL policy, in [0, 1].</param>
public sealed record EvaluationResult(string Set, double BeforeRl, double AfterRl);

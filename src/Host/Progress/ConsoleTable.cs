using System.Text;
using ActorRL.Host.Reports;
using Spectre.Console;

namespace ActorRL.Host.Progress;

/// <summary>Prints a <see cref="ReportTable"/>: a Spectre table on an interactive terminal, aligned plain text otherwise.</summary>
public static class ConsoleTable
{
    /// <summary>Writes <paramref name="table"/> to <paramref name="console"/>.</summary>
    /// <param name="console">Where.</param>
    /// <param name="table">What.</param>
    /// <param name="interactive">A Spectre table when true; <see cref="Plain"/> text when false.</param>
    public static void Write(IAnsiConsole console, ReportTable table, bool interactive)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(table);
        if (!interactive)
        {
            console.Profile.Out.Writer.Write(Plain(table));
            console.Profile.Out.Writer.Flush();
            return;
        }
        var rendered = new Table().Border(TableBorder.Rounded).Title(Markup.Escape(table.Title));
        for (int i = 0; i < table.Headers.Count; i++)
        {
            var column = new TableColumn(Markup.Escape(table.Headers[i]));
            rendered.AddColumn(i == 0 ? column : column.RightAligned());
        }
        foreach (IReadOnlyList<string> row in table.Rows) rendered.AddRow(row.Select(Markup.Escape).ToArray());
        console.Write(rendered);
    }

    /// <summary>
    /// The title on a line, then the headers and rows in columns two spaces apart: the first column left-aligned, the
    /// others right-aligned (numbers line up), no trailing spaces, every line ending in a newline.
    /// </summary>
    public static string Plain(ReportTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        int[] widths = table.Headers.Select((h, i) => table.Rows.Select(r => r[i].Length).Prepend(h.Length).Max()).ToArray();
        var text = new StringBuilder().Append(table.Title).Append('\n');
        foreach (IReadOnlyList<string> row in table.Rows.Prepend(table.Headers))
        {
            var line = new StringBuilder();
            for (int i = 0; i < row.Count; i++)
            {
                if (i > 0) line.Append("  ");
                line.Append(i == 0 ? row[i].PadRight(widths[i]) : row[i].PadLeft(widths[i]));
            }
            text.Append(line.ToString().TrimEnd()).Append('\n');
        }
        return text.ToString();
    }
}

using Spectre.Console;

namespace ActorRL.Host.Cli;

/// <summary>
/// The two consoles: results (tables, progress) on standard output, errors and warnings on
/// standard error so that piping the results stays clean.
/// </summary>
/// <remarks>
/// A stream that is redirected (a file, a pipe, a log collector) gets plain text: Spectre.Console decides on colours
/// from <c>TERM</c> alone, so without this a log file would fill with escape sequences whenever the shell that started
/// the command had a colour terminal. <c>NO_COLOR</c> turns colours off on a terminal too.
/// </remarks>
public static class Terminal
{
    /// <summary>Standard output.</summary>
    public static IAnsiConsole Out { get; } = Create(Console.Out, Console.IsOutputRedirected, wide: false);

    /// <summary>Standard error.</summary>
    public static IAnsiConsole Error { get; } = Create(Console.Error, Console.IsErrorRedirected, wide: true);

    private static IAnsiConsole Create(TextWriter writer, bool redirected, bool wide)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = redirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = redirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
        });
        // One message, one line: logs and CI output should not be wrapped at an assumed 80 columns.
        if (wide) console.Profile.Width = short.MaxValue;
        return console;
    }

    /// <summary>Writes <c>error: message</c> in red to standard error.</summary>
    public static void WriteError(string message) => Error.MarkupLine($"[red]error:[/] {Markup.Escape(message)}");

    /// <summary>Writes <c>warning: message</c> in yellow to standard error.</summary>
    public static void WriteWarning(string message) => Error.MarkupLine($"[yellow]warning: {Markup.Escape(message)}[/]");
}

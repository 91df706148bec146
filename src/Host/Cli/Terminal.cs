using Spectre.Console;

namespace ActorRL.Host.Cli;

/// <summary>
/// The two consoles: results (tables, progress) on standard output, errors and warnings on
/// standard error so that piping the results stays clean.
/// </summary>
public static class Terminal
{
    /// <summary>Standard output.</summary>
    public static IAnsiConsole Out => AnsiConsole.Console;

    /// <summary>Standard error.</summary>
    public static IAnsiConsole Error { get; } = CreateError();

    private static IAnsiConsole CreateError()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        // One message, one line: logs and CI output should not be wrapped at an assumed 80 columns.
        console.Profile.Width = short.MaxValue;
        return console;
    }

    /// <summary>Writes <c>error: message</c> in red to standard error.</summary>
    public static void WriteError(string message) => Error.MarkupLine($"[red]error:[/] {Markup.Escape(message)}");

    /// <summary>Writes <c>warning: message</c> in yellow to standard error.</summary>
    public static void WriteWarning(string message) => Error.MarkupLine($"[yellow]warning: {Markup.Escape(message)}[/]");
}

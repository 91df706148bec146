using Spectre.Console;

namespace ActorRL.Host.Progress;

/// <summary>Picks the progress display for the terminal: live bars when interactive, plain lines otherwise.</summary>
public static class RunProgress
{
    /// <summary>Whether <paramref name="console"/> is a terminal a person watches: interactive, and standard output not redirected.</summary>
    public static bool IsInteractive(IAnsiConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        return console.Profile.Capabilities.Interactive && !Console.IsOutputRedirected;
    }

    /// <summary>Runs <paramref name="run"/> with a display on <paramref name="console"/>; the display ends when it does.</summary>
    public static async Task<T> ShowAsync<T>(IAnsiConsole console, Func<IRunProgress, Task<T>> run)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(run);
        if (!IsInteractive(console)) return await run(new PlainRunProgress(Console.Out, TimeProvider.System));
        return await console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(LiveRunProgress.Columns())
            .StartAsync(context => run(new LiveRunProgress(context, console)));
    }
}

using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace ActorRL.Host.Tests.Cli;

/// <summary>The built <c>actorrl.dll</c> (copied beside the tests) run with <c>dotnet</c> as a child process.</summary>
internal static partial class ActorRlProcess
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static Task<Result> RunAsync(string workingDirectory, params string[] args) => RunAsync(workingDirectory, null, args);

    /// <summary>Runs the CLI; <paramref name="onLine"/> sees each line of standard output as it comes, with the process id.</summary>
    public static async Task<Result> RunAsync(string workingDirectory, Action<string, int>? onLine, params string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "actorrl.dll"));
        foreach (string arg in args) start.ArgumentList.Add(arg);
        // Other tests set ACTORRL_ variables for a moment; a child must see only what its test gives it.
        foreach (string key in start.Environment.Keys.Where(k => k.StartsWith("ACTORRL_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }
        using var process = Process.Start(start)!;
        Task<string> stdout = ReadLinesAsync(process, onLine);
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        // Spectre.Console colours standard error whenever TERM says the terminal could show colours, redirected or not.
        return new Result(process.ExitCode, Plain(await stdout), Plain(await stderr));
    }

    private static async Task<string> ReadLinesAsync(Process process, Action<string, int>? onLine)
    {
        var text = new System.Text.StringBuilder();
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            text.Append(line).Append('\n');
            onLine?.Invoke(line, process.Id);
        }
        return text.ToString();
    }

    /// <summary>Sends a POSIX signal (INT, TERM, KILL) to a process, at once (no helper process in between).</summary>
    public static void Signal(int pid, string signal)
    {
        int number = signal switch { "INT" => 2, "KILL" => 9, "TERM" => 15, _ => throw new ArgumentException($"unknown signal {signal}", nameof(signal)) };
        if (Kill(pid, number) == 0) return;
        int errno = Marshal.GetLastPInvokeError();
        throw new InvalidOperationException(errno == 3
            ? $"process {pid} had already exited when -{signal} was sent (it ran past the line that triggered it)"
            : $"kill -{signal} {pid} failed: errno {errno}");
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    private static string Plain(string text) => AnsiEscape().Replace(text, "");

    [GeneratedRegex(@"\x1b\[[0-9;?]*[A-Za-z]")]
    private static partial Regex AnsiEscape();

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ActorRL.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"no ActorRL.sln above {AppContext.BaseDirectory}");
    }
}

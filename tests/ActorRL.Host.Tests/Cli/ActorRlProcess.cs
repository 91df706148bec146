using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace ActorRL.Host.Tests.Cli;

/// <summary>The built <c>actorrl.dll</c> (copied beside the tests) run with <c>dotnet</c> as a child process.</summary>
internal static partial class ActorRlProcess
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static Task<Result> RunAsync(string workingDirectory, params string[] args) => RunAsync(workingDirectory, null, args);

    private static ProcessStartInfo StartInfo(string workingDirectory, string[] args)
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
        // A colour terminal, as in most shells: output redirected to the test must come out plain all the same.
        start.Environment["TERM"] = "xterm-256color";
        start.Environment.Remove("NO_COLOR");
        // Other tests set ACTORRL_ variables for a moment; a child must see only what its test gives it.
        foreach (string key in start.Environment.Keys.Where(k => k.StartsWith("ACTORRL_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }
        return start;
    }

    /// <summary>Runs the CLI; <paramref name="onLine"/> sees each line of standard output as it comes, with the process id.</summary>
    public static async Task<Result> RunAsync(string workingDirectory, Action<string, int>? onLine, params string[] args)
    {
        using var process = Process.Start(StartInfo(workingDirectory, args))!;
        Task<string> stdout = ReadLinesAsync(process, onLine);
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await stdout, await stderr);
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

    /// <summary>
    /// Starts the CLI and returns at once with its handle: its standard output and error are read line by line as they
    /// come (<see cref="Child.WaitForLineAsync"/>), and <see cref="Child.Dispose"/> kills it with its whole process tree.
    /// <paramref name="environment"/> adds variables to the child's (the test host's ACTORRL_ variables are removed first).
    /// </summary>
    public static Child Start(string name, string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        ProcessStartInfo start = StartInfo(workingDirectory, args);
        foreach ((string key, string value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        return new Child(name, Process.Start(start)!);
    }

    /// <summary>A CLI process started by <see cref="Start"/>: its lines so far, waits on them and on its exit, and kill.</summary>
    public sealed class Child : IDisposable
    {
        private readonly Process process;
        private readonly List<(bool Error, string Text, TimeSpan At)> lines = [];
        private readonly Stopwatch clock = Stopwatch.StartNew();
        private readonly Task reading;
        private int? exitCode;
        private bool released;

        internal Child(string name, Process process)
        {
            Name = name;
            this.process = process;
            Id = process.Id;
            reading = Task.WhenAll(ReadAsync(process.StandardOutput, error: false), ReadAsync(process.StandardError, error: true));
        }

        /// <summary>A name for messages (the node's name, <c>train</c>, ...).</summary>
        public string Name { get; }

        /// <summary>The process id.</summary>
        public int Id { get; }

        /// <summary>Whether the process has exited.</summary>
        public bool HasExited => exitCode is not null || process.HasExited;

        /// <summary>Its standard output so far, one line per line, escape sequences removed.</summary>
        public string Stdout => Text(error: false);

        /// <summary>Its standard error so far.</summary>
        public string Stderr => Text(error: true);

        /// <summary>Both streams so far, interleaved as the lines came.</summary>
        public string Output
        {
            get
            {
                lock (lines) return string.Concat(lines.Select(l => l.Text + "\n"));
            }
        }

        /// <summary>
        /// The last <paramref name="count"/> lines of both streams, headed with the name and each with the seconds since the
        /// start when it came, for failure messages.
        /// </summary>
        public string Tail(int count = 40)
        {
            lock (lines)
            {
                var text = new StringBuilder($"--- {Name} (pid {Id}{(ExitCode is { } code ? $", exited with {code}" : ", running")}), last {Math.Min(count, lines.Count)} of {lines.Count} lines:\n");
                foreach ((bool error, string line, TimeSpan at) in lines.Skip(Math.Max(0, lines.Count - count)))
                {
                    text.Append(System.Globalization.CultureInfo.InvariantCulture, $"  {at.TotalSeconds,6:F1}s {(error ? "err" : "out")}| {line}\n");
                }
                return text.ToString();
            }
        }

        /// <summary>
        /// The first line of either stream (from the start) that <paramref name="match"/> accepts; waits for it up to
        /// <paramref name="timeout"/>, and throws <see cref="TimeoutException"/> with the output's tail when it does not
        /// come or the process ends without it.
        /// </summary>
        public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, string what = "the line")
        {
            DateTime deadline = DateTime.UtcNow + timeout;
            int seen = 0;
            while (true)
            {
                bool ended = reading.IsCompleted;
                lock (lines)
                {
                    for (; seen < lines.Count; seen++)
                    {
                        if (match(lines[seen].Text)) return lines[seen].Text;
                    }
                }
                if (ended) throw new TimeoutException($"{Name} ended without {what}\n{Tail()}");
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"no {what} from {Name} in {timeout.TotalSeconds:F0} s\n{Tail()}");
                await Task.WhenAny(reading, Task.Delay(50));
            }
        }

        /// <summary>Waits up to <paramref name="timeout"/> for the process to exit and its output to be read; its exit code.</summary>
        public async Task<int> WaitForExitAsync(TimeSpan timeout)
        {
            using var cancel = new CancellationTokenSource(timeout);
            try
            {
                await process.WaitForExitAsync(cancel.Token);
                await reading.WaitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{Name} did not exit in {timeout.TotalSeconds:F0} s\n{Tail()}");
            }
            return process.ExitCode;
        }

        /// <summary>The exit code once the process has exited; null while it runs.</summary>
        public int? ExitCode => exitCode ?? (process.HasExited ? exitCode = process.ExitCode : null);

        /// <summary>Sends a POSIX signal (INT, TERM, KILL) to the process itself.</summary>
        public void Signal(string signal) => ActorRlProcess.Signal(Id, signal);

        /// <summary>Kills the process with its whole tree (nothing when it has exited) and waits a moment for it.</summary>
        public void Kill()
        {
            if (released) return;
            try
            {
                if (!process.HasExited) process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
            catch (InvalidOperationException) { } // exited meanwhile
            catch (System.ComponentModel.Win32Exception) { }
        }

        /// <summary>Kills the process (see <see cref="Kill"/>) and releases it.</summary>
        public void Dispose()
        {
            if (released) return;
            Kill();
            exitCode ??= process.HasExited ? process.ExitCode : -1;
            released = true;
            process.Dispose();
        }

        private string Text(bool error)
        {
            lock (lines) return string.Concat(lines.Where(l => l.Error == error).Select(l => l.Text + "\n"));
        }

        private async Task ReadAsync(StreamReader reader, bool error)
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                lock (lines) lines.Add((error, line, clock.Elapsed));
            }
        }
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

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ActorRL.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"no ActorRL.sln above {AppContext.BaseDirectory}");
    }
}

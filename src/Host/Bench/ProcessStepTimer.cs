using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ActorRL.Host.Cli;
using ActorRL.Models.Tensors;

namespace ActorRL.Host.Bench;

/// <summary>
/// The programs in another process (the C++ executable or the Python script): it is started with
/// <c>&lt;threads&gt; &lt;warmup&gt; &lt;steps&gt;</c> and prints <c>{"mlp": [ms...], "block": [ms...]}</c>.
/// </summary>
/// <param name="Key">Short key for the JSON report.</param>
/// <param name="Title">What the table calls it.</param>
/// <param name="Description">How it runs the programs.</param>
/// <param name="FileName">The executable.</param>
/// <param name="LeadingArguments">Arguments before the three numbers (the script, for Python).</param>
public sealed record ProcessStepTimer(string Key, string Title, string Description, string FileName, IReadOnlyList<string> LeadingArguments) : IStepTimer
{
    /// <summary>The C++ program, <c>actorrl_torch_bench</c>, next to actorrl.dll.</summary>
    /// <exception cref="CommandFailedException">The executable is missing.</exception>
    public static ProcessStepTimer Cpp()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "actorrl_torch_bench");
        if (!File.Exists(path))
        {
            throw new CommandFailedException($"the C++ benchmark {path} is missing: it is built with the libtorch shim "
                + "by 'dotnet build src/Host' (which needs cmake, g++ and libtorch-dev)");
        }
        return new ProcessStepTimer(TorchBench.Cpp, "C++", "libtorch C++ API, actorrl_torch_bench", path, []);
    }

    /// <summary>The Python program, torch_bench.py next to actorrl.dll, run by Debian's /usr/bin/python3.</summary>
    /// <exception cref="CommandFailedException">The script, Python or PyTorch is missing.</exception>
    public static ProcessStepTimer Python()
    {
        string script = Path.Combine(AppContext.BaseDirectory, "torch_bench.py");
        if (!File.Exists(script))
        {
            throw new CommandFailedException($"the Python benchmark {script} is missing: rebuild with 'dotnet build src/Host'");
        }
        return new ProcessStepTimer(TorchBench.Python, "Python", "PyTorch, /usr/bin/python3 torch_bench.py", PythonInterpreter, [script]);
    }

    // Debian's interpreter, which sees python3-torch; the first python3 on PATH may be another one.
    internal const string PythonInterpreter = "/usr/bin/python3";

    /// <summary>The version of PyTorch that <c>/usr/bin/python3</c> imports.</summary>
    /// <exception cref="CommandFailedException">Python or PyTorch is not installed.</exception>
    public static async Task<string> PythonTorchVersionAsync(CancellationToken cancellationToken)
    {
        const string install = "apt-get install -y python3-torch";
        if (!File.Exists(PythonInterpreter))
        {
            throw new CommandFailedException($"{PythonInterpreter} is missing; the Python benchmark needs Debian's Python with PyTorch: {install}");
        }
        (int exitCode, string stdout, string stderr) =
            await RunAsync(PythonInterpreter, ["-c", "import torch; print(torch.__version__)"], cancellationToken);
        if (exitCode != 0)
        {
            throw new CommandFailedException($"PyTorch is not installed for {PythonInterpreter} ({LastLine(stderr)}): {install}");
        }
        return stdout.Trim();
    }

    /// <inheritdoc/>
    public async Task<StepTimes> MeasureAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        string[] arguments = [.. LeadingArguments, $"{settings.Threads}", $"{settings.Warmup}", $"{settings.Steps}"];
        (int exitCode, string stdout, string stderr) = await RunAsync(FileName, arguments, cancellationToken, settings.Threads);
        if (exitCode != 0)
        {
            throw new CommandFailedException($"{Title} benchmark failed with exit code {exitCode}: {LastLine(stderr)}");
        }
        // Libraries may print warnings first; the result is the last JSON line.
        string? json = stdout.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith('{'));
        if (json is null) throw new CommandFailedException($"{Title} benchmark printed no result: {LastLine(stdout)}");
        try
        {
            using JsonDocument doc = JsonDocument.Parse(json);
            return new StepTimes(Times(doc, "mlp"), Times(doc, "block"));
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new CommandFailedException($"{Title} benchmark printed an unexpected result ({e.Message}): {json}", e);
        }
    }

    private static double[] Times(JsonDocument doc, string program) =>
        doc.RootElement.GetProperty(program).EnumerateArray().Select(e => e.GetDouble()).ToArray();

    /// <summary>Runs a benchmark process; <paramref name="threads"/>, when given, also sizes its OpenBLAS pool, as
    /// <see cref="Torch.Threads"/> does in this process, so that every side computes with the same threads.</summary>
    internal static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(
        string fileName, IEnumerable<string> arguments, CancellationToken cancellationToken, int? threads = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in arguments) start.ArgumentList.Add(a);
        // A virtual environment's settings would make Debian's Python import another torch.
        start.Environment.Remove("PYTHONHOME");
        start.Environment.Remove("PYTHONPATH");
        if (threads is int n) start.Environment["OPENBLAS_NUM_THREADS"] = n.ToString(CultureInfo.InvariantCulture);

        Process? started;
        try
        {
            started = Process.Start(start);
        }
        catch (Win32Exception e)
        {
            throw new CommandFailedException($"cannot start {fileName}: {e.Message}", e);
        }
        using Process process = started ?? throw new CommandFailedException($"cannot start {fileName}");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        Task<string> stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    internal static string LastLine(string text)
    {
        string last = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
        return last.Length == 0 ? "no output" : last;
    }
}

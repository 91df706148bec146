using System.Globalization;
using System.Text.Json;
using ActorRL.Host.Cli;
using ActorRL.Models.Nn;

namespace ActorRL.Host.Bench.Model;

/// <summary>
/// The same work in PyTorch: model_bench.py (next to actorrl.dll) run by Debian's /usr/bin/python3, a
/// nanoGPT-style model written the ordinary way that loads the C# side's weights. Its settings and token ids
/// travel in a JSON file; it prints its timings as one JSON line.
/// </summary>
public sealed class PythonModelRunner : IModelRunner
{
    private readonly string script;
    private readonly string workloadPath;
    private readonly int threads;

    private PythonModelRunner(string script, string workloadPath, int threads)
    {
        this.script = script;
        this.workloadPath = workloadPath;
        this.threads = threads;
    }

    /// <inheritdoc/>
    public string Key => ModelBench.Python;

    /// <inheritdoc/>
    public string Title => "Python";

    /// <inheritdoc/>
    public string Description => "PyTorch, /usr/bin/python3 model_bench.py";

    /// <summary>Finds the script and writes the workload file it reads into <paramref name="directory"/>.</summary>
    /// <exception cref="CommandFailedException">The script is missing.</exception>
    public static PythonModelRunner Create(ModelBenchWorkload workload, ModelBenchSettings settings, SavedModel model, string directory)
    {
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(model);
        string script = Path.Combine(AppContext.BaseDirectory, "model_bench.py");
        if (!File.Exists(script))
        {
            throw new CommandFailedException($"the Python benchmark {script} is missing: rebuild with 'dotnet build src/Host'");
        }
        var file = new WorkloadFile(
            workload.Config,
            model.WeightsPath,
            model.Optimizer,
            new TrainFile([.. workload.Train.Select(e => e.Prompt.Concat(e.Response).ToArray())], workload.TrainPromptTokens,
                settings.TrainWarmup, settings.TrainSteps),
            new GenerateFile(workload.Prompts, workload.NewTokens, settings.GenerateWarmup, settings.GenerateRuns));
        string path = Path.Combine(directory, "workload.json");
        File.WriteAllText(path, JsonSerializer.Serialize(file, JsonReport.Options));
        return new PythonModelRunner(script, path, settings.Threads);
    }

    /// <inheritdoc/>
    public async Task<ModelRunTimes> RunAsync(int round, IModelBenchProgress? progress, CancellationToken cancellationToken)
    {
        progress?.Starting(this, round, "generating, then training");
        string[] arguments = [script, workloadPath, threads.ToString(CultureInfo.InvariantCulture)];
        (int exitCode, string stdout, string stderr) =
            await ProcessStepTimer.RunAsync(ProcessStepTimer.PythonInterpreter, arguments, cancellationToken, threads);
        if (exitCode != 0)
        {
            throw new CommandFailedException($"{Title} benchmark failed with exit code {exitCode}: {ProcessStepTimer.LastLine(stderr)}");
        }
        // Libraries may print warnings first; the result is the last JSON line.
        string? json = stdout.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith('{'));
        if (json is null) throw new CommandFailedException($"{Title} benchmark printed no result: {ProcessStepTimer.LastLine(stdout)}");
        try
        {
            using JsonDocument doc = JsonDocument.Parse(json);
            JsonElement root = doc.RootElement;
            return new ModelRunTimes(
                Doubles(root, "train_ms"),
                root.GetProperty("first_loss").GetDouble(),
                Doubles(root, "generate_ms"),
                [.. root.GetProperty("first_tokens").EnumerateArray().Select(e => e.GetInt32())],
                [.. root.GetProperty("first_logprobs").EnumerateArray().Select(e => e.GetSingle())],
                [],
                null);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new CommandFailedException($"{Title} benchmark printed an unexpected result ({e.Message}): {json}", e);
        }
    }

    private static double[] Doubles(JsonElement root, string name) =>
        [.. root.GetProperty(name).EnumerateArray().Select(e => e.GetDouble())];

    // The file model_bench.py reads (snake_case, as every report).
    private sealed record WorkloadFile(GptConfig Config, string Weights, OptimizerSettings Optimizer, TrainFile Train, GenerateFile Generate);

    private sealed record TrainFile(IReadOnlyList<int[]> Ids, int PromptTokens, int Warmup, int Steps);

    private sealed record GenerateFile(IReadOnlyList<int[]> Prompts, int NewTokens, int Warmup, int Runs);
}

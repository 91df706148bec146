using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ActorRL.Host.Configuration;
using ActorRL.Host.Hosting;
using ActorRL.Host.Progress;
using ActorRL.Models.Checkpoints;
using ActorRL.Models.Nn;
using ActorRL.Models.Rlhf;
using ActorRL.Models.Rlhf.Tasks;
using ActorRL.Models.Tensors;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace ActorRL.Host.Cli;

/// <summary>
/// <c>actorrl eval --checkpoint DIR [--task NAME] [--examples N]</c>: loads a policy checkpoint, runs its task's
/// evaluation greedily and prints the figures (and writes them with <c>--json FILE</c>).
/// </summary>
/// <remarks>
/// The model's size comes from the checkpoint's own <c>config.json</c> when it has one (stage checkpoints do), else from
/// the run's configuration: <c>--config</c>, or the <c>config.json</c> that <c>actorrl train</c> wrote in the run
/// directory above the checkpoint. The task, seed, examples and response length come from the options, then the
/// checkpoint's trainer state, then that configuration.
/// </remarks>
public static class EvalCommand
{
    /// <summary>Evaluation prompts per set when neither <c>--examples</c> nor a configuration says.</summary>
    public const int DefaultExamples = 200;

    /// <summary>Longest response when no configuration says.</summary>
    public const int DefaultMaxNewTokens = 48;

    private static readonly JsonSerializerOptions ModelConfigJson = new() { PropertyNameCaseInsensitive = true };
    private static readonly JsonSerializerOptions SnakeCaseModelConfigJson = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var checkpoint = new Option<DirectoryInfo>("--checkpoint")
        {
            Description = "The policy checkpoint to evaluate (a stage's or the learner's checkpoint directory)",
            HelpName = "DIR",
            Required = true,
        };
        var task = new Option<string?>("--task")
        {
            Description = $"The task whose evaluation runs: {string.Join(", ", RlTasks.Names)} [default: the checkpoint's, else the configuration's]",
            HelpName = "NAME",
        };
        task.AcceptOnlyFromAmong([.. RlTasks.Names]);
        var examples = new Option<int?>("--examples")
        {
            Description = $"Prompts per evaluation set [default: eval.examples of the configuration, else {DefaultExamples}]",
            HelpName = "N",
        };
        examples.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is < 1) r.AddError("--examples must be at least 1");
        });
        var seed = new Option<int?>("--seed")
        {
            Description = "Seed of the evaluation sets [default: the run's seed, else 1]",
            HelpName = "N",
        };
        var json = new Option<FileInfo?>("--json")
        {
            Description = "Also write the figures as JSON to FILE",
            HelpName = "FILE",
        };
        var command = new Command("eval", "Evaluate a policy checkpoint on its task (greedy decoding) and print the figures")
        {
            checkpoint, task, examples, seed, json,
        };
        command.SetAction((parseResult, cancellationToken) =>
        {
            var request = new EvalRequest(
                parseResult.GetRequiredValue(checkpoint), parseResult.GetValue(task), parseResult.GetValue(examples),
                parseResult.GetValue(seed), parseResult.GetValue(json), parseResult.GetValue(GlobalOptions.Config));
            return RunAsync(parseResult, request, cancellationToken);
        });
        return command;
    }

    private sealed record EvalRequest(DirectoryInfo Checkpoint, string? Task, int? Examples, int? Seed, FileInfo? Json, FileInfo? Config);

    /// <summary>What <c>--json</c> writes.</summary>
    /// <param name="Checkpoint">The checkpoint's full path.</param>
    /// <param name="Task">The task evaluated.</param>
    /// <param name="Seed">Seed of the evaluation sets.</param>
    /// <param name="Examples">Prompts per set.</param>
    /// <param name="MaxNewTokens">Longest response.</param>
    /// <param name="Temperature">Sampling temperature of the responses (0: greedy).</param>
    /// <param name="Figures">The task's figures.</param>
    public sealed record EvalReport(string Checkpoint, string Task, int Seed, int Examples, int MaxNewTokens, double Temperature, IReadOnlyList<EvalReportFigure> Figures);

    /// <summary>One figure in <see cref="EvalReport"/>.</summary>
    /// <param name="Name">What it is.</param>
    /// <param name="Value">Its value; null when it is not a number (JSON has no NaN).</param>
    /// <param name="HigherIsBetter">Its direction.</param>
    public sealed record EvalReportFigure(string Name, double? Value, bool HigherIsBetter);

    private static async Task<int> RunAsync(ParseResult parseResult, EvalRequest request, CancellationToken cancellationToken)
    {
        // Checked before the host starts, so that a mistyped path is reported at once and without libtorch.
        string dir = Path.TrimEndingDirectorySeparator(request.Checkpoint.FullName);
        if (!Directory.Exists(dir))
        {
            Terminal.WriteError($"checkpoint {request.Checkpoint}: no such directory");
            return ExitCodes.Failure;
        }
        TrainConfig? config;
        try
        {
            config = request.Config is { } file ? TrainConfigLoader.Load(file.ToString()) : RunConfigAbove(dir);
        }
        catch (InvalidConfigurationException e)
        {
            Terminal.WriteError(e.Message);
            return ExitCodes.BadConfiguration;
        }
        return await CommandHost.RunAsync(parseResult, cancellationToken, (services, token) => EvaluateAsync(request, dir, config, services, token));
    }

    private static async Task<int> EvaluateAsync(EvalRequest request, string dir, TrainConfig? config, IServiceProvider services, CancellationToken cancellationToken)
    {
        Device device = Device.Parse(services.GetRequiredService<IOptions<TorchOptions>>().Value.Device);
        LoadedCheckpoint loaded;
        try
        {
            loaded = Checkpoint.Load(dir);
        }
        catch (CheckpointCorruptException e)
        {
            throw new CommandFailedException($"{e.Message}. The checkpoint cannot be used; evaluate an earlier one.", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CommandFailedException($"checkpoint {dir}: {e.Message}", e);
        }

        string taskName;
        int seed, examples, maxNewTokens;
        double temperature;
        CausalLM policy;
        using (loaded)
        {
            JsonNode? trainer = loaded.TrainerState;
            taskName = request.Task ?? Text(trainer, "task") ?? (config is null ? null : RunSettingsMapper.TaskName(config.Task.Name))
                ?? throw new CommandFailedException($"checkpoint {dir} does not say its task; pass --task ({string.Join(", ", RlTasks.Names)})");
            seed = request.Seed ?? Integer(trainer, "seed") ?? config?.Run.Seed ?? 1;
            examples = request.Examples ?? config?.Eval.Examples ?? DefaultExamples;
            // The run's own evaluation settings, so that the figures are those its report showed for the same checkpoint.
            maxNewTokens = config?.Eval.Generation.MaxNewTokens ?? DefaultMaxNewTokens;
            temperature = config?.Eval.Generation.Temperature ?? 0;

            IRlTask task = CreateTask(taskName, seed);
            GptConfig model = ModelSize(loaded, config, task, dir);
            bool valueHead = loaded.Weights.Keys.Any(k => k.StartsWith("value_head.", StringComparison.Ordinal));
            policy = new CausalLM(model, valueHead);
            try
            {
                loaded.RestoreModel(policy);
            }
            catch (ArgumentException e)
            {
                policy.Dispose();
                throw new CommandFailedException($"{e.Message} (model size {Describe(model)}); pass the run's --config if this is not its size", e);
            }
            IReadOnlyList<EvalFigure> figures;
            using (policy)
            {
                if (device.Type != DeviceType.Cpu) policy.To(device);
                policy.Eval();
                cancellationToken.ThrowIfCancellationRequested();
                Terminal.Error.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                    $"evaluating {dir} on {taskName}: {examples} examples per set, seed {seed}, temperature {temperature}")));
                figures = task.Evaluate(new EvalContext(policy, Reference: null, Baseline: null, Reward: null, examples, maxNewTokens, temperature, seed));
            }

            ConsoleTable.Write(Terminal.Out, EvaluationTable.Single($"Evaluation of {dir} ({taskName})", figures), RunProgress.IsInteractive(Terminal.Out));
            if (request.Json is { } json)
            {
                await JsonReport.WriteAsync(json, new EvalReport(dir, taskName, seed, examples, maxNewTokens, temperature,
                    [.. figures.Select(f => new EvalReportFigure(f.Name, double.IsFinite(f.Value) ? f.Value : null, f.HigherIsBetter))]), cancellationToken);
                Terminal.Error.MarkupLine($"[grey]wrote {Markup.Escape(json.ToString())}[/]");
            }
        }
        return ExitCodes.Success;
    }

    private static IRlTask CreateTask(string name, int seed)
    {
        try
        {
            return RlTasks.Create(name, seed);
        }
        catch (ArgumentException e)
        {
            throw new CommandFailedException(e.Message, e);
        }
    }

    // The checkpoint's own record of its size first: it is what the weights were saved from.
    private static GptConfig ModelSize(LoadedCheckpoint loaded, TrainConfig? config, IRlTask task, string dir)
    {
        if (loaded.ModelConfig is JsonObject saved && ParseModelConfig(saved) is { } recorded) return recorded;
        if (config is not null) return config.Model.ToGptConfig(task.Tokenizer.VocabSize);
        throw new CommandFailedException(
            $"checkpoint {dir} does not record the model's size (no {Checkpoint.ConfigFileName}) and no run configuration was found above it; pass --config with the run's configuration");
    }

    private static GptConfig? ParseModelConfig(JsonObject saved)
    {
        foreach (JsonSerializerOptions options in (JsonSerializerOptions[])[ModelConfigJson, SnakeCaseModelConfigJson])
        {
            try
            {
                GptConfig? parsed = saved.Deserialize<GptConfig>(options);
                if (parsed is not null && parsed.VocabSize > 0 && parsed.Width > 0) return parsed.Validate();
            }
            catch (Exception e) when (e is JsonException or ArgumentException or NotSupportedException)
            {
                // Another spelling, or not a model configuration at all: try the next, then the run's configuration.
            }
        }
        return null;
    }

    // `actorrl train` writes the resolved configuration to <run.dir>/config.json; checkpoints live below run.dir.
    private static TrainConfig? RunConfigAbove(string checkpointDir)
    {
        for (DirectoryInfo? dir = new DirectoryInfo(checkpointDir).Parent; dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, TrainCommand.ConfigFileName);
            if (File.Exists(candidate) && LooksLikeTrainConfig(candidate)) return TrainConfigLoader.Load(candidate);
        }
        return null;
    }

    private static bool LooksLikeTrainConfig(string path)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) is JsonObject root && root.ContainsKey("run") && root.ContainsKey("model");
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static string? Text(JsonNode? node, string key) =>
        node is JsonObject o && o[key] is JsonValue v && v.TryGetValue(out string? s) && !string.IsNullOrWhiteSpace(s) ? s : null;

    private static int? Integer(JsonNode? node, string key) =>
        node is JsonObject o && o[key] is JsonValue v && v.TryGetValue(out int i) ? i : null;

    private static string Describe(GptConfig c) =>
        $"vocabulary {c.VocabSize}, context {c.ContextLength}, {c.Layers} layers, {c.Heads} heads, width {c.Width}";
}

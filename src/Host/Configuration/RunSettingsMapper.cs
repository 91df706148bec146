using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using ActorRL.Actors.Rlhf;
using ActorRL.Models.Rlhf.Stages;

namespace ActorRL.Host.Configuration;

/// <summary>
/// Turns a validated <see cref="TrainConfig"/> into the <see cref="RlhfRunSettings"/> the run takes, and writes the
/// resolved configuration back as JSON in the file's own shape (snake_case keys, the objective's options beside its
/// name), so that <see cref="TrainConfigLoader"/> reads it back to the same configuration.
/// </summary>
public static class RunSettingsMapper
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        // Computed members (the task's tokenizer size, an objective's name and derived sizes) are not settings.
        IgnoreReadOnlyProperties = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>The run's settings.</summary>
    /// <param name="config">A configuration that passed <see cref="TrainConfig.Validate"/>.</param>
    /// <param name="currentDirectory">What a relative <c>run.dir</c> is resolved against.</param>
    public static RlhfRunSettings Map(TrainConfig config, string currentDirectory)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentException.ThrowIfNullOrEmpty(currentDirectory);
        TaskConfig task = config.Task;
        StagesConfig stages = config.Stages;
        RlConfig rl = config.Rl;
        return new RlhfRunSettings
        {
            RunDir = Path.GetFullPath(config.Run.Dir, currentDirectory),
            Task = TaskName(task.Name),
            Seed = config.Run.Seed,
            CheckpointEvery = config.Run.CheckpointEvery,
            KeepCheckpoints = config.Run.KeepCheckpoints,
            KeepBestMetric = config.Run.KeepBest,
            KeepBestHigher = config.Run.KeepBestHigher,
            Model = config.Model.ToGptConfig(task.TokenizerVocabSize),
            Objective = config.Objective.Name,
            ObjectiveOptions = config.Objective.Options,
            Stages = new StageSettings(
                new SftStageSettings(stages.Sft.Steps, task.SftExamples, stages.Sft.ToSftOptions()),
                // task.preference_pairs counts the reward model's labelled examples as well as the DPO pairs.
                new RewardModelStageSettings(stages.RewardModel.Steps, task.PreferencePairs, stages.RewardModel.BatchSize, stages.RewardModel.Lr),
                new DpoStageSettings(stages.Dpo.Steps, task.PreferencePairs, task.LabelNoise, stages.Dpo.BatchSize, stages.Dpo.Lr, stages.Dpo.Beta)),
            Steps = rl.Steps,
            PromptsPerStep = rl.PromptsPerStep,
            SamplesPerPrompt = rl.SamplesPerPrompt,
            Schedule = rl.Schedule,
            Staleness = rl.Staleness,
            RolloutWorkers = rl.RolloutWorkers,
            Lr = rl.Lr,
            UpdateEpochs = rl.UpdateEpochs,
            Generation = rl.Generation.ToGenerationOptions(),
            PreferencePairs = task.PreferencePairs,
            LabelNoise = task.LabelNoise,
            Eval = new EvalSettings(config.Eval.Examples, config.Eval.Generation.ToGenerationOptions()),
            TorchThreads = config.Torch.Threads,
            Device = config.Torch.Device,
        };
    }

    /// <summary>
    /// The SHA-256 of the configuration's <see cref="ToJson"/> (lowercase hex): what the run computes, so the run journal
    /// and every node of a cluster can tell whether they run the same thing. The <c>cluster</c> section is not part of it.
    /// </summary>
    public static string ConfigSha256(TrainConfig config) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(ToJson(config).ToJsonString())));

    /// <summary>The config name of a task (<c>arithmetic</c>, <c>reviews</c>, <c>preferences</c>).</summary>
    public static string TaskName(TaskName name) => ConfigPath.SnakeCase(name.ToString());


    /// <summary>
    /// The configuration as the JSON a file would hold: one object per section of <see cref="TrainConfig.Sections"/>,
    /// every key written out with the value in use (defaults included).
    /// </summary>
    public static JsonObject ToJson(TrainConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var objective = new JsonObject { ["name"] = config.Objective.Name };
        foreach ((string key, JsonNode? value) in Section(config.Objective.Options, config.Objective.Options.GetType()))
        {
            objective[key] = value?.DeepClone();
        }
        return new JsonObject
        {
            ["run"] = Section(config.Run),
            ["task"] = Section(config.Task),
            ["model"] = Section(config.Model),
            ["stages"] = Section(config.Stages),
            ["rl"] = Section(config.Rl),
            [ObjectiveConfig.Section] = objective,
            ["eval"] = Section(config.Eval),
            ["torch"] = Section(config.Torch),
        };
    }

    /// <summary>Writes <see cref="ToJson"/> to <paramref name="path"/>, replacing an earlier file whole.</summary>
    public static void WriteJson(TrainConfig config, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string temporary = $"{path}.tmp-{Guid.NewGuid():N}";
        File.WriteAllText(temporary, ToJson(config).ToJsonString(Json) + "\n");
        File.Move(temporary, path, overwrite: true);
    }

    private static JsonObject Section<T>(T value) where T : notnull => Section(value, typeof(T));

    private static JsonObject Section(object value, Type type)
    {
        var node = (JsonObject)JsonSerializer.SerializeToNode(value, type, Json)!;
        DropEmptyArrays(node);
        return node;
    }

    // Configuration files cannot say "empty list": the JSON provider turns [] into a key without a value, which then
    // reads as an empty object. An empty list is every such option's default, so leaving it out says the same.
    private static void DropEmptyArrays(JsonObject node)
    {
        foreach (string key in node.Select(p => p.Key).ToList())
        {
            switch (node[key])
            {
                case JsonArray { Count: 0 }:
                    node.Remove(key);
                    break;
                case JsonObject child:
                    DropEmptyArrays(child);
                    break;
            }
        }
    }
}

using ActorRL.Actors.Rlhf;
using System.Text.Json;
using ActorRL.Host.Configuration;
using ActorRL.Host.Tests.Reports;
using ActorRL.Models.Objectives;
using ActorRL.Models.Tasks;
using ActorRL.Models.Training;
using Microsoft.Extensions.Configuration;

namespace ActorRL.Host.Tests.Cli;

public sealed class RunSettingsMapperTests
{
    private static readonly string ConfigDir = Path.Combine(ActorRlProcess.RepositoryRoot, "config");

    public static TheoryData<string> ConfigFiles() => [.. Directory.GetFiles(ConfigDir, "*.json").Order().Select(f => Path.GetFileName(f))];

    // From the file alone: TrainConfigLoader.Load also reads ACTORRL_ variables, which another test class sets for a moment.
    private static TrainConfig LoadFileOnly(string path)
    {
        TrainConfig config = TrainConfigLoader.Bind(new ConfigurationBuilder().AddJsonFile(path).Build());
        config.Validate();
        return config;
    }

    [Fact]
    public void QuickstartMapsEveryValueOfTheFile()
    {
        string path = Path.Combine(ConfigDir, "quickstart.json");
        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(path));
        JsonElement file = json.RootElement;
        JsonElement S(string section, string key) => file.GetProperty(section).GetProperty(key);
        JsonElement Stage(string stage, string key) => file.GetProperty("stages").GetProperty(stage).GetProperty(key);
        JsonElement Gen(string section, string key) => file.GetProperty(section).GetProperty("generation").GetProperty(key);

        var settings = RunSettingsMapper.Map(LoadFileOnly(path), "/work/somewhere");

        Assert.Equal(Path.Combine("/work/somewhere", S("run", "dir").GetString()!), settings.RunDir);
        Assert.Equal("/work/somewhere/runs/quickstart", settings.RunDir);
        Assert.Equal(S("run", "seed").GetInt32(), settings.Seed);
        Assert.Equal(S("task", "name").GetString(), settings.Task);

        // vocab_size 0 in the file: the arithmetic tokenizer's.
        Assert.Equal(0, S("model", "vocab_size").GetInt32());
        Assert.Equal(ArithmeticTask.CreateTokenizer().VocabSize, settings.Model.VocabSize);
        Assert.Equal(S("model", "context_length").GetInt32(), settings.Model.ContextLength);
        Assert.Equal(S("model", "layers").GetInt32(), settings.Model.Layers);
        Assert.Equal(S("model", "heads").GetInt32(), settings.Model.Heads);
        Assert.Equal(S("model", "width").GetInt32(), settings.Model.Width);
        Assert.Equal(S("model", "dropout").GetDouble(), settings.Model.Dropout);

        Assert.Equal(S("objective", "name").GetString(), settings.Objective);
        Assert.Equal(ObjectiveRegistry.Defaults("drto"), settings.ObjectiveOptions);

        var sft = settings.Stages.Sft;
        Assert.Equal(Stage("sft", "steps").GetInt32(), sft.Steps);
        Assert.Equal(S("task", "sft_examples").GetInt32(), sft.Examples);
        Assert.Equal(Stage("sft", "batch_size").GetInt32(), sft.Options.BatchSize);
        Assert.Equal(Stage("sft", "micro_batch_size").GetInt32(), sft.Options.MicroBatchSize);
        Assert.Equal(Stage("sft", "weight_decay").GetDouble(), sft.Options.WeightDecay);
        Assert.Equal(Stage("sft", "grad_clip").GetDouble(), sft.Options.GradClip);
        Assert.Equal(new WarmupCosineSchedule(Stage("sft", "lr").GetDouble(), Stage("sft", "min_lr").GetDouble(),
            Stage("sft", "warmup_steps").GetInt32(), Stage("sft", "steps").GetInt32()), sft.Options.Schedule);

        var rm = settings.Stages.RewardModel;
        Assert.Equal(Stage("reward_model", "steps").GetInt32(), rm.Steps);
        Assert.Equal(S("task", "preference_pairs").GetInt32(), rm.Examples);
        Assert.Equal(Stage("reward_model", "batch_size").GetInt32(), rm.BatchSize);
        Assert.Equal(Stage("reward_model", "lr").GetDouble(), rm.Lr);

        var dpo = settings.Stages.Dpo;
        Assert.Equal(Stage("dpo", "steps").GetInt32(), dpo.Steps);
        Assert.Equal(S("task", "preference_pairs").GetInt32(), dpo.Pairs);
        Assert.Equal(S("task", "label_noise").GetDouble(), dpo.LabelNoise);
        Assert.Equal(Stage("dpo", "batch_size").GetInt32(), dpo.BatchSize);
        Assert.Equal(Stage("dpo", "lr").GetDouble(), dpo.Lr);
        Assert.Equal(Stage("dpo", "beta").GetDouble(), dpo.Beta);

        Assert.Equal(S("rl", "steps").GetInt32(), settings.Steps);
        Assert.Equal(S("rl", "prompts_per_step").GetInt32(), settings.PromptsPerStep);
        Assert.Equal(S("rl", "samples_per_prompt").GetInt32(), settings.SamplesPerPrompt);
        Assert.Equal("async", S("rl", "schedule").GetString());
        Assert.Equal(RolloutSchedule.Async, settings.Schedule);
        Assert.Equal(S("rl", "staleness").GetInt32(), settings.Staleness);
        Assert.Equal(S("rl", "rollout_workers").GetInt32(), settings.RolloutWorkers);
        Assert.Equal(S("rl", "lr").GetDouble(), settings.Lr);
        Assert.Equal(S("rl", "update_epochs").GetInt32(), settings.UpdateEpochs);
        Assert.Equal(Gen("rl", "max_new_tokens").GetInt32(), settings.Generation.MaxNewTokens);
        Assert.Equal(Gen("rl", "temperature").GetDouble(), settings.Generation.Temperature);
        Assert.Equal(Gen("rl", "top_k").GetInt32(), settings.Generation.TopK);
        Assert.Equal(Gen("rl", "top_p").GetDouble(), settings.Generation.TopP);

        Assert.Equal(S("task", "preference_pairs").GetInt32(), settings.PreferencePairs);
        Assert.Equal(S("task", "label_noise").GetDouble(), settings.LabelNoise);

        Assert.Equal(S("eval", "examples").GetInt32(), settings.Eval.Examples);
        Assert.Equal(Gen("eval", "max_new_tokens").GetInt32(), settings.Eval.Generation.MaxNewTokens);
        Assert.Equal(Gen("eval", "temperature").GetDouble(), settings.Eval.Generation.Temperature);
        Assert.Equal(Gen("eval", "top_k").GetInt32(), settings.Eval.Generation.TopK);
        Assert.Equal(Gen("eval", "top_p").GetDouble(), settings.Eval.Generation.TopP);

        Assert.Equal(S("torch", "threads").GetInt32(), settings.TorchThreads);
    }

    [Fact]
    public void AnAbsoluteRunDirIsKept()
    {
        TrainConfig config = LoadFileOnly(Path.Combine(ConfigDir, "quickstart.json")) with { Run = new RunConfig { Dir = "/data/runs/a" } };

        Assert.Equal("/data/runs/a", RunSettingsMapper.Map(config, "/work/somewhere").RunDir);
    }


    [Theory]
    [InlineData(TaskName.Arithmetic, "arithmetic")]
    [InlineData(TaskName.Reviews, "reviews")]
    [InlineData(TaskName.Preferences, "preferences")]
    public void TaskNamesAreTheConfigNames(TaskName task, string name) => Assert.Equal(name, RunSettingsMapper.TaskName(task));

    [Theory]
    [MemberData(nameof(ConfigFiles))]
    public void TheWrittenConfigReadsBackToTheSameConfig(string file)
    {
        TrainConfig config = LoadFileOnly(Path.Combine(ConfigDir, file));
        using var dir = new TempDir();
        string written = Path.Combine(dir.Path, "config.json");

        RunSettingsMapper.WriteJson(config, written);
        TrainConfig back = LoadFileOnly(written);

        Assert.Equal(config.Run, back.Run);
        Assert.Equal(config.Task, back.Task);
        Assert.Equal(config.Model, back.Model);
        Assert.Equal(config.Stages, back.Stages);
        Assert.Equal(config.Rl, back.Rl);
        Assert.Equal(config.Objective.Name, back.Objective.Name);
        Assert.Equal(JsonSerializer.Serialize(config.Objective.Options, config.Objective.Options.GetType()),
            JsonSerializer.Serialize(back.Objective.Options, back.Objective.Options.GetType()));
        Assert.Equal(config.Eval, back.Eval);
        Assert.Equal((config.Torch.Threads, config.Torch.Device), (back.Torch.Threads, back.Torch.Device));
        Assert.Equal([dir.Path + "/config.json"], Directory.GetFiles(dir.Path)); // no temporary file left
    }

    [Fact]
    public void TheWrittenConfigSpellsKeysAsTheFilesDo()
    {
        var json = RunSettingsMapper.ToJson(LoadFileOnly(Path.Combine(ConfigDir, "drto.json")));

        Assert.Equal(["run", "task", "model", "stages", "rl", "objective", "eval", "torch"], json.Select(p => p.Key));
        Assert.Equal("drto", (string?)json["objective"]!["name"]);
        Assert.Equal("kl", (string?)json["objective"]!["set"]);
        Assert.Equal(0.1, (double)json["objective"]!["radius"]!);
        Assert.Equal("async", (string?)json["rl"]!["schedule"]);
        Assert.Equal(32, (int)json["stages"]!["sft"]!["micro_batch_size"]!);
        Assert.Null(json["task"]!["tokenizer_vocab_size"]); // computed, not a setting
    }
}

using ActorRL.Actors.Rlhf;
using ActorRL.Host.Configuration;
using ActorRL.Host.Hosting;
using ActorRL.Models.Objectives;

namespace ActorRL.Host.Tests.Configuration;

// One class, so that the test setting an ACTORRL_ environment variable never runs beside another load.
public sealed class TrainConfigLoaderTests
{
    private static readonly string ConfigDir = FindConfigDir();
    private static readonly string Quickstart = Path.Combine(ConfigDir, "quickstart.json");

    public static TheoryData<string> ConfigFiles()
    {
        var data = new TheoryData<string>();
        foreach (string file in Directory.GetFiles(FindConfigDir(), "*.json").Order()) data.Add(Path.GetFileName(file));
        return data;
    }

    public static TheoryData<string> ObjectiveNames() => [.. ObjectiveRegistry.Names];

    [Theory]
    [MemberData(nameof(ConfigFiles))]
    public void EveryConfigFileLoadsAndValidates(string file)
    {
        TrainConfig config = TrainConfigLoader.Load(Path.Combine(ConfigDir, file));

        Assert.False(string.IsNullOrWhiteSpace(config.Run.Dir));
        Assert.Equal(config.Objective.Name, config.Objective.Options.Objective);
    }

    [Theory]
    [InlineData("ppo.json", "ppo", TaskName.Arithmetic)]
    [InlineData("rto.json", "rto", TaskName.Arithmetic)]
    [InlineData("drto.json", "drto", TaskName.Arithmetic)]
    [InlineData("rcfd.json", "rcfd", TaskName.Reviews)]
    [InlineData("ropo.json", "ropo", TaskName.Preferences)]
    [InlineData("dpo.json", "dpo", TaskName.Preferences)]
    [InlineData("quickstart.json", "drto", TaskName.Arithmetic)]
    public void EachObjectiveConfigPicksItsObjectiveAndTask(string file, string objective, TaskName task)
    {
        TrainConfig config = TrainConfigLoader.Load(Path.Combine(ConfigDir, file));

        Assert.Equal(objective, config.Objective.Name);
        Assert.Equal(task, config.Task.Name);
    }

    [Fact]
    public void QuickstartBindsTheFileValues()
    {
        TrainConfig config = TrainConfigLoader.Load(Quickstart);

        Assert.Equal("runs/quickstart", config.Run.Dir);
        Assert.Equal(1200, config.Stages.Sft.Steps);
        Assert.Equal(RolloutSchedule.Async, config.Rl.Schedule);
        Assert.Equal(0.0, config.Eval.Generation.Temperature);
        Assert.Equal("cpu", config.Torch.Device);
        // vocab_size 0 takes the arithmetic tokenizer's: 256 bytes plus its special tokens.
        Assert.Equal(ActorRL.Models.Tasks.ArithmeticTask.CreateTokenizer().VocabSize,
            config.Model.ToGptConfig(config.Task.TokenizerVocabSize).VocabSize);
        Assert.Equal(0.002, config.Stages.Sft.ToSftOptions().Schedule.PeakLearningRate);
    }

    [Fact]
    public void AKeySetTwiceTakesItsLastValue()
    {
        TrainConfig config = TrainConfigLoader.Load(Quickstart, ["rl.steps=2", "rl.update_epochs=4", "RL.STEPS=5"]);

        Assert.Equal(5, config.Rl.Steps);
        Assert.Equal(4, config.Rl.UpdateEpochs);
    }

    [Fact]
    public void SetOverridesWinOverTheFileAndEnvironmentOverTheFile()
    {
        const string variable = "ACTORRL_RL__PROMPTS_PER_STEP";
        Environment.SetEnvironmentVariable(variable, "3");
        try
        {
            TrainConfig fromEnvironment = TrainConfigLoader.Load(Quickstart, ["rl.steps=2"]);
            Assert.Equal(3, fromEnvironment.Rl.PromptsPerStep);
            Assert.Equal(2, fromEnvironment.Rl.Steps);

            TrainConfig fromSet = TrainConfigLoader.Load(Quickstart, ["rl:prompts_per_step=5", "objective.name=ppo", "objective.clip_epsilon=0.3"]);
            Assert.Equal(5, fromSet.Rl.PromptsPerStep);
            Assert.Equal(0.3, Assert.IsType<PpoOptions>(fromSet.Objective.Options).ClipEpsilon);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public void TheClusterSectionBindsTakesItsSecretsFromTheEnvironmentAndLeavesTheRunsHashAlone()
    {
        string clusterFile = Path.Combine(ConfigDir, "cluster.json");
        const string password = "ACTORRL_CLUSTER__BROKER__PASSWORD", journal = "ACTORRL_CLUSTER__JOURNAL";
        Environment.SetEnvironmentVariable(password, "s3cret");
        Environment.SetEnvironmentVariable(journal, "Host=db;Username=actorrl;Password=p");
        try
        {
            TrainConfig config = TrainConfigLoader.Load(clusterFile, ["cluster.failure_timeout_s=4", "cluster.broker.host=rabbit.example"]);
            Assert.True(config.Cluster.Enabled);
            config.Cluster.CheckCredentials();
            var settings = config.Cluster.Settings("gpu-1", ["coordinator", "learner"]);
            Assert.Equal(new ActorRL.Actors.Cluster.BrokerSettings("rabbit.example", 5672, "/", "actorrl", "s3cret"), settings.Broker);
            Assert.Equal(TimeSpan.FromSeconds(4), settings.FailureTimeout);
            Assert.Equal("Host=db;Username=actorrl;Password=p", config.Cluster.Journal);
            // Where the run runs is not what it computes: the hash and the resolved configuration leave the section out.
            TrainConfig local = TrainConfigLoader.Load(clusterFile, ["cluster.name="]);
            Assert.False(local.Cluster.Enabled);
            Assert.Equal(RunSettingsMapper.ConfigSha256(local), RunSettingsMapper.ConfigSha256(config));
            Assert.DoesNotContain("s3cret", RunSettingsMapper.ToJson(config).ToJsonString(), StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(password, null);
            Environment.SetEnvironmentVariable(journal, null);
        }
    }

    [Fact]
    public void ClusterErrorsNameTheKey()
    {
        string clusterFile = Path.Combine(ConfigDir, "cluster.json");
        var timing = Assert.Throws<InvalidConfigurationException>(() => TrainConfigLoader.Load(clusterFile, ["cluster.failure_timeout_s=1"]));
        Assert.Equal("cluster.failure_timeout_s", timing.Field);
        var port = Assert.Throws<InvalidConfigurationException>(() => TrainConfigLoader.Load(clusterFile, ["cluster.broker.port=0"]));
        Assert.Equal("cluster.broker.port", port.Field);

        TrainConfig noSecrets = TrainConfigLoader.Load(clusterFile);
        Assert.Equal("cluster.broker.user", Assert.Throws<InvalidConfigurationException>(noSecrets.Cluster.CheckCredentials).Field);
        TrainConfig guest = TrainConfigLoader.Load(clusterFile, ["cluster.broker.user=guest", "cluster.broker.password=guest", "cluster.broker.host=10.0.0.7", "cluster.journal=Host=db"]);
        var refused = Assert.Throws<InvalidConfigurationException>(guest.Cluster.CheckCredentials);
        Assert.Equal("cluster.broker.user", refused.Field);
        Assert.Contains("the guest account may be used only with a broker on this machine, not 10.0.0.7", refused.Message, StringComparison.Ordinal);
        TrainConfig noJournal = TrainConfigLoader.Load(clusterFile, ["cluster.broker.password=p"]);
        Assert.Equal("cluster.journal", Assert.Throws<InvalidConfigurationException>(noJournal.Cluster.CheckCredentials).Field);
    }

    [Fact]
    public void EnvironmentValueErrorsNameTheVariable()
    {
        const string variable = "ACTORRL_RL__ROLLOUT_WORKERS";
        Environment.SetEnvironmentVariable(variable, "0");
        try
        {
            var e = Assert.Throws<InvalidConfigurationException>(() => TrainConfigLoader.Load(Quickstart));
            Assert.Equal("rl.rollout_workers", e.Field);
            Assert.Contains(variable, e.Message, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Theory]
    [InlineData("rl.stpes=2", "rl.stpes", "unknown key")]
    [InlineData("stages.sft.lr_peak=0.1", "stages.sft.lr_peak", "unknown key")]
    [InlineData("rl.generation.topk=5", "rl.generation.topk", "unknown key")]
    [InlineData("objective.alpha=20", "objective.alpha", "alpha")]
    [InlineData("optimizer.lr=1", "optimizer", "unknown section")]
    public void UnknownKeyNamesItsFullPath(string set, string field, string mention)
    {
        var e = Assert.Throws<InvalidConfigurationException>(() => TrainConfigLoader.Load(Quickstart, [set]));

        Assert.Equal(field, e.Field);
        Assert.StartsWith(field + ":", e.Message, StringComparison.Ordinal);
        Assert.Contains(mention, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rl.steps=abc", "rl.steps", "'abc' is not an integer")]
    [InlineData("rl.schedule=sometimes", "rl.schedule", "one of sync, async")]
    [InlineData("stages.dpo.beta=big", "stages.dpo.beta", "is not a number")]
    [InlineData("torch.threads=many", "torch.threads", "not an integer")]
    public void WrongTypeNamesItsFullPath(string set, string field, string mention)
    {
        var e = Assert.Throws<InvalidConfigurationException>(() => TrainConfigLoader.Load(Quickstart, [set]));

        Assert.Equal(field, e.Field);
        Assert.Contains(mention, e.Message, StringComparison.Ordinal);
        Assert.Contains("--set", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WrongTypeOfAnObjectiveOptionNamesItsFullPath()
    {
        var e = Assert.Throws<InvalidConfigurationException>(
            () => TrainConfigLoader.Load(Path.Combine(ConfigDir, "ropo.json"), ["objective.rejection_samples=many"]));

        Assert.Equal("objective.rejection_samples", e.Field);
    }

    [Theory]
    [InlineData("ropo.json", "objective.alpha=1.5", "objective.alpha", "must be > 2, not 1.5")]
    [InlineData("quickstart.json", "rl.staleness=0", "rl.staleness", "must be at least 1, not 0")]
    [InlineData("quickstart.json", "objective.rto.ppo.clip_epsilon=2", "objective.rto.ppo.clip_epsilon", "not 2")]
    [InlineData("quickstart.json", "model.heads=3", "model.heads", "must divide model.width (128)")]
    [InlineData("quickstart.json", "stages.sft.micro_batch_size=5", "stages.sft.micro_batch_size", "must divide")]
    [InlineData("quickstart.json", "run.dir=", "run.dir", "is required")]
    [InlineData("quickstart.json", "torch.device=tpu", "torch.device", "is not a device")]
    [InlineData("quickstart.json", "stages.dpo.steps=0", "stages.dpo.steps", "with objective drto")]
    public void InvalidValueNamesItsFullPath(string file, string set, string field, string mention)
    {
        var e = Assert.Throws<InvalidConfigurationException>(() => TrainConfigLoader.Load(Path.Combine(ConfigDir, file), [set]));

        Assert.Equal(field, e.Field);
        Assert.StartsWith(field + ":", e.Message, StringComparison.Ordinal);
        Assert.Contains(mention, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StalenessZeroIsAllowedWithSync()
    {
        TrainConfig config = TrainConfigLoader.Load(Quickstart, ["rl.schedule=sync", "rl.staleness=0"]);

        Assert.Equal(RolloutSchedule.Sync, config.Rl.Schedule);
    }

    [Fact]
    public void InvalidValueInTheFileNamesTheFile()
    {
        string file = Path.Combine(Path.GetTempPath(), $"actorrl-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, """{"run": {"dir": "runs/x"}, "objective": {"name": "ppo"}, "rl": {"prompts_per_step": 0}}""");
        try
        {
            var e = Assert.Throws<InvalidConfigurationException>(() => TrainConfigLoader.Load(file));
            Assert.Equal("rl.prompts_per_step", e.Field);
            Assert.Contains(file, e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void UnknownObjectiveListsTheKnownOnes()
    {
        var e = Assert.Throws<InvalidConfigurationException>(() => TrainConfigLoader.Load(Quickstart, ["objective.name=grpo"]));

        Assert.Equal("objective.name", e.Field);
        Assert.Contains("'grpo'", e.Message, StringComparison.Ordinal);
        Assert.Contains("ppo, rto, drto, rcfd, ropo, dpo", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SetWithoutEqualsIsRefused()
    {
        var e = Assert.Throws<InvalidConfigurationException>(() => TrainConfigLoader.Load(Quickstart, ["rl.steps"]));

        Assert.Contains("expected key=value", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ObjectiveNames))]
    public void SwappingTheObjectiveOnQuickstartIsOneKey(string name)
    {
        TrainConfig config = TrainConfigLoader.Load(Quickstart, [$"objective.name={name}"]);

        Assert.Equal(name, config.Objective.Name);
        Assert.Equal(ObjectiveRegistry.Defaults(name), config.Objective.Options);
    }

    private static string FindConfigDir()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ActorRL.sln"))) return Path.Combine(dir.FullName, "config");
        }
        throw new InvalidOperationException($"no ActorRL.sln above {AppContext.BaseDirectory}");
    }
}

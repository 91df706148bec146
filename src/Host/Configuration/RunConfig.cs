using ActorRL.Host.Hosting;

namespace ActorRL.Host.Configuration;

/// <summary>Section <c>run</c>: where everything a run writes goes, and its seed.</summary>
public sealed record RunConfig
{
    /// <summary>The run directory (journal, checkpoints, metrics, report); required.</summary>
    public string Dir { get; init; } = "";

    /// <summary>Seed of data generation, initialization and sampling.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Write an RL checkpoint every this many steps (0: only at the end and when stopped).</summary>
    public int CheckpointEvery { get; init; }

    /// <summary>How many of the newest RL checkpoints to keep.</summary>
    public int KeepCheckpoints { get; init; } = 3;

    /// <summary>A step metric (e.g. <c>reward_mean</c>) whose best checkpoint is kept besides the newest ones; empty for none.</summary>
    public string KeepBest { get; init; } = "";

    /// <summary>Whether <see cref="KeepBest"/>'s best is its largest value (true) or its smallest.</summary>
    public bool KeepBestHigher { get; init; } = true;

    /// <summary>Throws <see cref="InvalidConfigurationException"/> naming the first invalid key.</summary>
    public void Validate()
    {
        ConfigCheck.AtLeast(CheckpointEvery, 0, "run.checkpoint_every");
        ConfigCheck.AtLeast(KeepCheckpoints, 1, "run.keep_checkpoints");
        if (KeepBest.Length > 0 && !Reports.MetricNames.IsSnakeCase(KeepBest))
        {
            throw new InvalidConfigurationException("run.keep_best", $"must be a step metric's name in snake_case (e.g. reward_mean), not '{KeepBest}'");
        }
        if (string.IsNullOrWhiteSpace(Dir)) throw new InvalidConfigurationException("run.dir", "is required: the directory everything of the run is written under");
        ConfigCheck.AtLeast(Seed, 0, "run.seed");
    }
}

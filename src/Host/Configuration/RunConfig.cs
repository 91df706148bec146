using ActorRL.Host.Hosting;

namespace ActorRL.Host.Configuration;

/// <summary>Section <c>run</c>: where everything a run writes goes, and its seed.</summary>
public sealed record RunConfig
{
    /// <summary>The run directory (journal, checkpoints, metrics, report); required.</summary>
    public string Dir { get; init; } = "";

    /// <summary>Seed of data generation, initialization and sampling.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Throws <see cref="InvalidConfigurationException"/> naming the first invalid key.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Dir)) throw new InvalidConfigurationException("run.dir", "is required: the directory everything of the run is written under");
        ConfigCheck.AtLeast(Seed, 0, "run.seed");
    }
}

using ActorRL.Host.Hosting;

namespace ActorRL.Host.Configuration;

/// <summary>Section <c>eval</c>: the evaluation run before and after RL (in-distribution and shifted).</summary>
public sealed record EvalConfig
{
    /// <summary>Problems (or prompts) per evaluation set.</summary>
    public int Examples { get; init; } = 200;

    /// <summary>Evaluate every this many RL steps as well; 0 only before and after.</summary>
    public int Every { get; init; }

    /// <summary>Sampling during evaluation (<c>eval.generation</c>); greedy by default.</summary>
    public GenerationConfig Generation { get; init; } = new() { Temperature = 0 };

    /// <summary>Throws <see cref="InvalidConfigurationException"/> naming the first invalid key.</summary>
    public void Validate()
    {
        ConfigCheck.AtLeast(Examples, 1, "eval.examples");
        ConfigCheck.AtLeast(Every, 0, "eval.every");
        Generation.Validate("eval.generation");
    }
}

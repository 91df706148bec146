using ActorRL.Host.Hosting;

namespace ActorRL.Host.Configuration;

/// <summary>Section <c>eval</c>: the evaluation run before and after RL (in-distribution and shifted).</summary>
public sealed record EvalConfig
{
    /// <summary>Problems (or prompts) per evaluation set; 0 skips the evaluations.</summary>
    public int Examples { get; init; } = 200;

    /// <summary>Sampling during evaluation (<c>eval.generation</c>); greedy by default.</summary>
    public GenerationConfig Generation { get; init; } = new() { Temperature = 0 };

    /// <summary>Throws <see cref="InvalidConfigurationException"/> naming the first invalid key.</summary>
    public void Validate()
    {
        ConfigCheck.AtLeast(Examples, 0, "eval.examples");
        Generation.Validate("eval.generation");
    }
}

namespace ActorRL.Host.Hosting;

/// <summary>
/// How this process uses libtorch: configuration section <c>torch</c>, for example
/// <c>{"torch": {"threads": 0, "device": "cpu"}}</c>.
/// </summary>
public sealed class TorchOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string Section = "torch";

    /// <summary>Intra-op threads for libtorch; 0 leaves libtorch's default (one per core).</summary>
    public int Threads { get; set; }

    /// <summary>Where models run: <c>cpu</c>, <c>cuda</c> (the current GPU) or <c>cuda:N</c>.</summary>
    public string Device { get; set; } = "cpu";
}

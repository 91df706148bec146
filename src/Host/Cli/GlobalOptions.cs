using System.CommandLine;

namespace ActorRL.Host.Cli;

/// <summary>Options every command accepts.</summary>
public static class GlobalOptions
{
    /// <summary><c>--config FILE</c>: a JSON configuration file (for example config/quickstart.json).</summary>
    public static Option<FileInfo?> Config { get; } = new("--config")
    {
        Description = "JSON configuration file, e.g. config/quickstart.json",
        HelpName = "FILE",
        Recursive = true,
    };
}

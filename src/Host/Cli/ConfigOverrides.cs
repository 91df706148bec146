using System.CommandLine;
using ActorRL.Host.Configuration;
using ActorRL.Host.Hosting;

namespace ActorRL.Host.Cli;

/// <summary>The <c>--set key=value</c> option of the commands that read a run's configuration, and loading it.</summary>
public static class ConfigOverrides
{
    /// <summary>A new <c>--set</c> option.</summary>
    public static Option<string[]> Create() => new("--set")
    {
        Description = "Override one configuration key, e.g. --set rl.steps=2 --set objective.name=ppo (repeatable; wins over the file and ACTORRL_ variables)",
        HelpName = "KEY=VALUE",
        Arity = ArgumentArity.ZeroOrMore,
    };

    /// <summary>
    /// The configuration of <c>--config</c> with <paramref name="set"/>'s overrides, checked before anything starts (so a
    /// bad key is reported without loading libtorch); null after writing the error.
    /// </summary>
    public static TrainConfig? Load(ParseResult parseResult, Option<string[]> set)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        FileInfo configFile = parseResult.GetValue(GlobalOptions.Config)!;
        try
        {
            return TrainConfigLoader.Load(configFile.ToString(), parseResult.GetValue(set) ?? []);
        }
        catch (InvalidConfigurationException e)
        {
            Terminal.WriteError(e.Message);
            return null;
        }
    }

    /// <summary>Whether the cluster's credentials are there (else the error is written).</summary>
    public static bool CredentialsGiven(TrainConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        try
        {
            config.Cluster.CheckCredentials();
            return true;
        }
        catch (InvalidConfigurationException e)
        {
            Terminal.WriteError(e.Message);
            return false;
        }
    }
}

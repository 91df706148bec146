using System.CommandLine;
using ActorRL.Actors;
using ActorRL.Actors.Cluster;
using ActorRL.Actors.Rlhf;
using ActorRL.Actors.Rlhf.Cluster;
using ActorRL.Host.Configuration;
using ActorRL.Host.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ActorRL.Host.Cli;

/// <summary>
/// <c>actorrl node --config FILE --roles ROLE,... [--name NAME]</c>: joins the cluster of the configuration's
/// <c>cluster</c> section and hosts the given roles until Ctrl+C or SIGTERM, then leaves (a run's manager here hands
/// over to a standby).
/// </summary>
public static class NodeCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var roles = new Option<string>("--roles")
        {
            Description = $"The roles this node hosts, comma-separated: {string.Join(", ", RlhfNode.KnownRoles)}",
            HelpName = "ROLE,...",
            Required = true,
        };
        var name = new Option<string?>("--name")
        {
            Description = "This node's name in the cluster, unique there [default: the machine's name]",
            HelpName = "NAME",
        };
        Option<string[]> set = ConfigOverrides.Create();
        var command = new Command("node",
            "Join the cluster of --config (its cluster section) and host roles of its run until stopped: every machine of a cluster runs one, with the same file")
        {
            roles, name, set,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(GlobalOptions.Config) is null) result.AddError("node needs --config FILE with a cluster section");
        });
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            if (ConfigOverrides.Load(parseResult, set) is not { } config) return ExitCodes.BadConfiguration;
            if (!config.Cluster.Enabled)
            {
                Terminal.WriteError("cluster.name: node needs a cluster; set the cluster section (name, broker, journal) in the configuration");
                return ExitCodes.BadConfiguration;
            }
            if (!ConfigOverrides.CredentialsGiven(config)) return ExitCodes.BadConfiguration;
            string[] given = [.. (parseResult.GetValue(roles) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
            if (given.Length == 0 || given.FirstOrDefault(r => !RlhfNode.KnownRoles.Contains(r)) is { } unknown && unknown.Length > 0)
            {
                Terminal.WriteError($"--roles: {(given.Length == 0 ? "no role given" : $"unknown role '{given.First(r => !RlhfNode.KnownRoles.Contains(r))}'")}; the roles are {string.Join(", ", RlhfNode.KnownRoles)}");
                return ExitCodes.BadConfiguration;
            }
            string node = parseResult.GetValue(name) ?? ClusterConfig.DefaultNodeName();
            return await CommandHost.RunAsync(parseResult, cancellationToken, (services, token) => RunAsync(config, node, given, services, token));
        });
        return command;
    }

    private static async Task<int> RunAsync(TrainConfig config, string name, string[] roles, IServiceProvider services, CancellationToken cancellationToken)
    {
        RlhfRunSettings settings = RunSettingsMapper.Map(config, Environment.CurrentDirectory) with { ConfigSha256 = RunSettingsMapper.ConfigSha256(config) };
        ClusterSettings cluster = config.Cluster.Settings(name, roles);
        await using ActorSystem system = ActorSystem.Create("actorrl", loggerFactory: services.GetRequiredService<ILoggerFactory>());
        RlhfNode node;
        try
        {
            node = await RlhfNode.StartAsync(system, settings, cluster, config.Cluster.Journal, cancellationToken);
        }
        catch (ClusterJoinException e)
        {
            throw new CommandFailedException(e.Message, e);
        }
        await using (node)
        {
            Console.Out.WriteLine($"node {name} joined cluster {cluster.ClusterName} with roles [{string.Join(", ", roles)}]");
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Console.Out.WriteLine($"node {name} is leaving cluster {cluster.ClusterName}");
            }
        }
        return ExitCodes.Success;
    }
}

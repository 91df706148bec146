using System.CommandLine;
using System.Globalization;
using ActorRL.Actors;
using ActorRL.Actors.Cluster;
using ActorRL.Actors.Persistence;
using ActorRL.Actors.Rlhf.Cluster;
using ActorRL.Actors.Rlhf.Journal;
using ActorRL.Host.Configuration;
using ActorRL.Host.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ActorRL.Host.Cli;

/// <summary>
/// <c>actorrl status --config FILE</c>: joins the cluster briefly without roles and prints its members and their roles,
/// the node running the run's coordinator, and the run's step and policy version from the journal.
/// </summary>
public static class StatusCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        Option<string[]> set = ConfigOverrides.Create();
        var command = new Command("status", "Show the cluster of --config: members and roles, the coordinator's node, the run's step and policy version") { set };
        command.Validators.Add(result =>
        {
            if (result.GetValue(GlobalOptions.Config) is null) result.AddError("status needs --config FILE with a cluster section");
        });
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            if (ConfigOverrides.Load(parseResult, set) is not { } config) return ExitCodes.BadConfiguration;
            if (!config.Cluster.Enabled)
            {
                Terminal.WriteError("cluster.name: status needs a cluster; set the cluster section (name, broker, journal) in the configuration");
                return ExitCodes.BadConfiguration;
            }
            if (!ConfigOverrides.CredentialsGiven(config)) return ExitCodes.BadConfiguration;
            return await CommandHost.RunAsync(parseResult, cancellationToken, (services, token) => ShowAsync(config, services, token));
        });
        return command;
    }

    private static async Task<int> ShowAsync(TrainConfig config, IServiceProvider services, CancellationToken cancellationToken)
    {
        ClusterSettings settings = config.Cluster.Settings($"status-{Environment.ProcessId}", []);
        await using ActorSystem system = ActorSystem.Create("actorrl", loggerFactory: services.GetRequiredService<ILoggerFactory>());
        IReadOnlyList<Member> members;
        string? coordinator;
        try
        {
            await using ClusterNode node = await ClusterNode.JoinAsync(system, settings, RlhfClusterWire.Create(), cancellationToken);
            // Every member heartbeats within an interval; three leave room for a busy one.
            await Task.Delay(3 * settings.HeartbeatInterval, cancellationToken);
            members = [.. node.Members.Where(m => m.Node != settings.NodeName)];
            coordinator = node.SingletonHost(RlhfNode.ManagerSingleton);
        }
        catch (ClusterJoinException e)
        {
            throw new CommandFailedException(e.Message, e);
        }
        Console.Out.WriteLine($"cluster {settings.ClusterName} on {settings.Broker}: {members.Count} member(s)");
        int width = members.Select(m => m.Node.Length).DefaultIfEmpty(4).Max();
        foreach (Member member in members) Console.Out.WriteLine($"  {member.Node.PadRight(width)}  {string.Join(", ", member.Roles)}");
        Console.Out.WriteLine($"coordinator: {coordinator ?? "none (no node with the coordinator role runs the run's manager)"}");

        await using SqlPersistence stores = SqlPersistence.OpenPostgres(config.Cluster.Journal);
        RunHistory history = await RunJournal.ReadAsync(stores.Journal, cancellationToken);
        string run = history.Attempts == 0 ? "not started"
            : string.Create(CultureInfo.InvariantCulture, $"step {(history.Steps.Count == 0 ? 0 : history.Steps[^1].Step)} of {config.Rl.Steps}, policy version "
                + $"{(history.Steps.Count == 0 ? 0 : history.Steps[^1].PolicyVersion)}, {(history.Finished ? "finished" : "running")} (attempt {history.Attempts})");
        Console.Out.WriteLine($"run: {run}");
        return ExitCodes.Success;
    }
}

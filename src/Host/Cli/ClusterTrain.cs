using System.Globalization;
using ActorRL.Actors;
using ActorRL.Actors.Cluster;
using ActorRL.Actors.Rlhf;
using ActorRL.Actors.Rlhf.Cluster;
using ActorRL.Host.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ActorRL.Host.Cli;

/// <summary>
/// <c>actorrl train</c> with a <c>cluster</c> section: asks the cluster's nodes to run the configuration and follows the
/// run, one line per stage and step, to its end (across a failover of the coordinator). Ctrl+C stops following; the
/// run goes on in the cluster, and the same command rejoins it.
/// </summary>
internal static class ClusterTrain
{
    public static async Task<int> RunAsync(TrainConfig config, IServiceProvider services, CancellationToken cancellationToken)
    {
        RlhfRunSettings settings = RunSettingsMapper.Map(config, Environment.CurrentDirectory) with { ConfigSha256 = RunSettingsMapper.ConfigSha256(config) };
        ClusterSettings cluster = config.Cluster.Settings($"train-{Environment.ProcessId}", []);
        await using ActorSystem system = ActorSystem.Create("actorrl", loggerFactory: services.GetRequiredService<ILoggerFactory>());
        Console.Out.WriteLine($"asking cluster {cluster.ClusterName} ({cluster.Broker}) to run {config.Objective.Name} on {RunSettingsMapper.TaskName(config.Task.Name)}");
        RunEnded ended;
        try
        {
            ended = await RlhfClusterClient.RunAsync(system, settings, cluster, Show, cancellationToken);
        }
        catch (ClusterJoinException e)
        {
            throw new CommandFailedException(e.Message, e);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Console.Out.WriteLine($"stopped following the run; it goes on in cluster {cluster.ClusterName} (actorrl status shows it, the same command rejoins it)");
            return ExitCodes.Success;
        }
        if (ended.Error.Length > 0)
        {
            throw new CommandFailedException($"the run failed on node {ended.CoordinatorNode}: {ended.Error}. Committed steps and checkpoints are kept; "
                + "the same command continues from the last checkpoint.");
        }
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"run ended at step {ended.StepsCompleted}{(ended.Cancelled ? " (stopped)" : "")}, checkpoint: {ended.Checkpoint}, coordinator: {ended.CoordinatorNode}"));
        return ExitCodes.Success;
    }

    private static void Show(RunProgress progress)
    {
        if (progress.Stage == "rl" && progress.Step > 0)
        {
            string reward = progress.Metrics.TryGetValue("reward_mean", out double r) ? string.Create(CultureInfo.InvariantCulture, $"  reward {r:F3}") : "";
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"step {progress.Step}/{progress.Steps}  policy v{progress.PolicyVersion}{reward}  (coordinator: {progress.CoordinatorNode})"));
        }
        else
        {
            Console.Out.WriteLine($"{progress.Stage} started (coordinator: {progress.CoordinatorNode})");
        }
    }
}

using ActorRL.Actors.Cluster;

namespace ActorRL.Actors.Rlhf.Cluster;

/// <summary>
/// Starts (or rejoins) the run on an RLHF cluster and follows it to its end: what <c>actorrl train</c> does with a
/// cluster configuration. The client joins as a node without roles, asks the run's manager wherever it runs, and asks
/// again whenever the manager moves (its node died and a standby took over), so a failover is invisible here. Leaving
/// early (cancellation) does not stop the run.
/// </summary>
public static class RlhfClusterClient
{
    /// <summary>Asks the cluster to run <paramref name="settings"/> and waits for the run's end.</summary>
    /// <param name="system">The client's actor system (not yet in a cluster).</param>
    /// <param name="settings">The run; the cluster's coordinator nodes must run the same configuration.</param>
    /// <param name="cluster">The cluster, with this client's node name and no roles.</param>
    /// <param name="progress">Told each stage start and completed step, on an actor's turn; keep it quick.</param>
    /// <param name="cancellationToken">Stops following the run (which goes on).</param>
    public static async Task<RunEnded> RunAsync(ActorSystem system, RlhfRunSettings settings, ClusterSettings cluster, Action<RunProgress> progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(progress);
        var ended = new TaskCompletionSource<RunEnded>(TaskCreationOptions.RunContinuationsAsynchronously);
        IActorRef client = system.ActorOf(Props.Create(() => new Client(settings.ConfigSha256, progress, ended)), "run-client");
        system.EventStream.Subscribe<SingletonMoved>(client);
        await using ClusterNode node = await ClusterNode.JoinAsync(system, cluster with { Roles = [] }, RlhfClusterWire.Create(), cancellationToken).ConfigureAwait(false);
        client.Tell(new Client.Joined(node));
        return await ended.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private sealed class Client : ReceiveActor
    {
        private ClusterNode? node;

        public Client(string configSha256, Action<RunProgress> progress, TaskCompletionSource<RunEnded> ended)
        {
            Receive<Joined>(joined =>
            {
                node = joined.Node;
                Ask(configSha256);
            });
            Receive<SingletonMoved>(_ => Ask(configSha256), moved => moved.Name == RunManager.Name && moved.Node is not null);
            Receive<RunProgress>(progress);
            Receive<RunEnded>(e => ended.TrySetResult(e));
        }

        public sealed record Joined(ClusterNode Node);

        private void Ask(string configSha256)
        {
            if (node?.SingletonRef(RunManager.Name) is { } manager) manager.Tell(new RunWanted(configSha256, node.PathOf(Self)));
        }
    }
}

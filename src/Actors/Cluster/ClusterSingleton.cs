using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace ActorRL.Actors.Cluster;

/// <summary>
/// Runs exactly one instance of an actor in the cluster (the RLHF run's coordinator): every node that may host it
/// starts a <see cref="ClusterSingleton"/> under the same name, and the one that holds the broker's lock runs the actor
/// as <c>/user/&lt;name&gt;</c>; the others stand by and try for the lock every heartbeat interval.
/// </summary>
/// <remarks>
/// The lock is an exclusive queue (<c>actorrl.&lt;cluster&gt;.singleton.&lt;name&gt;</c>): the broker lets one
/// connection declare it and deletes it the moment that connection closes, which a node's death does (the broker's
/// own connection heartbeat covers a node that hangs instead). So a standby takes over within a heartbeat interval of
/// the broker noticing, and recovers the singleton's state itself (the coordinator from its journal). A node that
/// loses its broker connection stops its instance at once, so that two never run while the cluster is cut apart.
/// Every node learns where the singleton runs from the heartbeats (<see cref="ClusterNode.SingletonRef"/>,
/// <see cref="SingletonMoved"/>).
/// </remarks>
public sealed class ClusterSingleton : IAsyncDisposable
{
    private readonly ClusterNode node;
    private readonly ActorSystem system;
    private readonly Props props;
    private readonly CancellationTokenSource stopping;
    private readonly Task trying;
    private IChannel? lockChannel;
    private IActorRef? instance;
    private CancellationTokenRegistration onLost;

    private ClusterSingleton(ClusterNode node, ActorSystem system, string name, Props props)
    {
        this.node = node;
        this.system = system;
        Name = name;
        this.props = props;
        stopping = CancellationTokenSource.CreateLinkedTokenSource(node.ConnectionLost);
        trying = Task.Run(TryForLockAsync);
    }

    /// <summary>The singleton's name (and its actor's name under <c>/user</c>).</summary>
    public string Name { get; }

    /// <summary>The instance when this node runs it, else null.</summary>
    public IActorRef? Instance => Volatile.Read(ref instance);

    /// <summary>Makes <paramref name="system"/>'s node a candidate to run the singleton <paramref name="name"/>, created
    /// from <paramref name="props"/> when this node gets the lock.</summary>
    public static ClusterSingleton Start(ActorSystem system, string name, Props props)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(props);
        ActorSystem.ValidateName(name, allowReserved: false);
        return new ClusterSingleton(ClusterNode.Of(system), system, name, props);
    }

    /// <summary>The lock queue of singleton <paramref name="name"/> in <paramref name="cluster"/>.</summary>
    public static string LockQueue(string cluster, string name) => $"actorrl.{cluster}.singleton.{name}";

    private async Task TryForLockAsync()
    {
        string queue = LockQueue(node.Settings.ClusterName, Name);
        using var timer = new PeriodicTimer(node.Settings.HeartbeatInterval);
        try
        {
            do
            {
                IChannel channel = await node.OpenChannelAsync(stopping.Token).ConfigureAwait(false);
                try
                {
                    await channel.QueueDeclareAsync(queue, durable: false, exclusive: true, autoDelete: true, cancellationToken: stopping.Token).ConfigureAwait(false);
                }
                catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 405)
                {
                    // Another node holds the lock (the refusal closed this channel).
                    channel.Dispose();
                    continue;
                }
                lockChannel = channel;
                Run();
                return;
            }
            while (await timer.WaitForNextTickAsync(stopping.Token).ConfigureAwait(false));
        }
        catch (Exception e) when (e is OperationCanceledException or AlreadyClosedException or OperationInterruptedException or ObjectDisposedException)
        {
            // Stopped, or cut off from the broker: this node is out of the running.
        }
    }

    private void Run()
    {
        node.Log.LogInformation("node {Node} holds the lock of singleton {Singleton}: starting it", node.Settings.NodeName, Name);
        IActorRef actor = system.ActorOf(props, Name);
        Volatile.Write(ref instance, actor);
        node.Hosts(Name, true);
        // Cut off from the broker, this node may no longer hold the lock: another node may be taking over.
        onLost = node.ConnectionLost.Register(() =>
        {
            node.Log.LogWarning("node {Node} lost the broker: stopping singleton {Singleton}", node.Settings.NodeName, Name);
            system.Stop(actor);
        });
    }

    /// <summary>Stops the instance if this node runs it and gives up the lock (a standby takes over), or stops trying.</summary>
    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync().ConfigureAwait(false);
        await trying.ConfigureAwait(false);
        await onLost.DisposeAsync().ConfigureAwait(false);
        if (Instance is { } actor)
        {
            await actor.GracefulStop(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            node.Hosts(Name, false);
        }
        if (lockChannel is not null)
        {
            // An exclusive queue lives as long as its connection, not its channel: give the lock up explicitly.
            try
            {
                if (lockChannel.IsOpen) await lockChannel.QueueDeleteAsync(LockQueue(node.Settings.ClusterName, Name)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is AlreadyClosedException or OperationInterruptedException)
            {
                // Gone with the connection, and the lock with it.
            }
            await ClusterChannels.CloseQuietlyAsync(lockChannel).ConfigureAwait(false);
        }
        stopping.Dispose();
    }
}

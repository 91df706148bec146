using ActorRL.Actors.Cluster;
using ActorRL.Actors.Persistence;
using ActorRL.Actors.Rlhf.Journal;
using Microsoft.Extensions.Logging;

namespace ActorRL.Actors.Rlhf.Cluster;

/// <summary>
/// One node of an RLHF cluster (what <c>actorrl node</c> runs): joins the cluster and hosts the roles it was given —
/// <c>coordinator</c> (a candidate for the run's manager, the cluster singleton; its journal is the shared PostgreSQL
/// database), <c>learner</c>, <c>reference</c>, <c>reward</c> (placed here by the coordinator through the node's role
/// host) and <c>rollout</c> (takes generation work off the cluster's durable queue).
/// </summary>
public sealed class RlhfNode : IAsyncDisposable
{
    /// <summary>The name of the cluster singleton that manages the run (its coordinator runs where it runs).</summary>
    public const string ManagerSingleton = RunManager.Name;

    /// <summary>The roles a node can host.</summary>
    public static readonly IReadOnlyList<string> KnownRoles = ["coordinator", "learner", "reference", "reward", "rollout"];

    private readonly ClusterNode node;
    private readonly ClusterSingleton? manager;
    private readonly SqlPersistence? stores;
    private readonly FaultInjector faults;

    private RlhfNode(ClusterNode node, ClusterSingleton? manager, SqlPersistence? stores, FaultInjector faults)
    {
        this.node = node;
        this.manager = manager;
        this.stores = stores;
        this.faults = faults;
    }

    /// <summary>The node's membership.</summary>
    public ClusterNode Cluster => node;

    /// <summary>
    /// Joins <paramref name="system"/> to the cluster of <paramref name="cluster"/> and starts what its roles need.
    /// </summary>
    /// <param name="system">The node's actor system.</param>
    /// <param name="settings">The run, as this node's configuration describes it (every node must have the same).</param>
    /// <param name="cluster">The cluster and this node's name and roles.</param>
    /// <param name="journalConnectionString">The PostgreSQL database of the run's journal (needed with the coordinator role).</param>
    /// <param name="cancellationToken">Cancels joining.</param>
    /// <exception cref="ArgumentException">An unknown role, or the coordinator role without a journal database.</exception>
    /// <exception cref="ClusterJoinException">The broker refused or could not be reached.</exception>
    public static async Task<RlhfNode> StartAsync(ActorSystem system, RlhfRunSettings settings, ClusterSettings cluster, string? journalConnectionString,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(cluster);
        var roles = new HashSet<string>(cluster.Roles, StringComparer.Ordinal);
        foreach (string role in roles)
        {
            if (!KnownRoles.Contains(role)) throw new ArgumentException($"unknown role '{role}': the roles are {string.Join(", ", KnownRoles)}");
        }
        if (roles.Contains("coordinator") && string.IsNullOrWhiteSpace(journalConnectionString))
        {
            throw new ArgumentException("the coordinator role needs the run journal's database: set cluster.journal (a PostgreSQL connection string)");
        }
        ClusterNode node = await ClusterNode.JoinAsync(system, cluster, RlhfClusterWire.Create(), cancellationToken).ConfigureAwait(false);
        var faults = new FaultInjector(settings.Faults);
        SqlPersistence? stores = null;
        ClusterSingleton? manager = null;
        try
        {
            if (roles.Overlaps(ClusterRolePlacement.HostedRoles))
            {
                system.ActorOf(Props.Create(() => new RoleHost(settings, faults, roles)), RoleHost.Name);
            }
            if (roles.Contains("rollout")) system.ActorOf(Props.Create(() => new RolloutNode(settings, faults, node)), RolloutNode.Name);
            if (roles.Contains("coordinator"))
            {
                stores = SqlPersistence.OpenPostgres(journalConnectionString!, logger: system.LoggerFactory.CreateLogger(typeof(RunJournal).FullName!));
                var journal = new PersistenceSettings(stores.Journal, stores.SnapshotStore, RunJournal.Serializer());
                manager = ClusterSingleton.Start(system, RunManager.Name, Props.Create(() => new RunManager(settings, node, journal, faults)));
            }
        }
        catch
        {
            await node.DisposeAsync().ConfigureAwait(false);
            if (stores is not null) await stores.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return new RlhfNode(node, manager, stores, faults);
    }

    /// <summary>Leaves the cluster: the run's manager, if it ran here, hands over to a standby.</summary>
    public async ValueTask DisposeAsync()
    {
        if (manager is not null) await manager.DisposeAsync().ConfigureAwait(false);
        await node.DisposeAsync().ConfigureAwait(false);
        if (stores is not null) await stores.DisposeAsync().ConfigureAwait(false);
        faults.Dispose();
    }
}

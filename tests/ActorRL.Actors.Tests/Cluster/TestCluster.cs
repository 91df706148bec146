using System.Collections.Concurrent;
using ActorRL.Actors.Cluster;
using Microsoft.Extensions.Logging;

namespace ActorRL.Actors.Tests.Cluster;

/// <summary>The cluster tests share one real broker and run one class at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RabbitMqCollection : ICollectionFixture<RabbitMqServer>
{
    public const string Name = "rabbitmq";
}

/// <summary>
/// Nodes of one cluster with a unique name on the shared broker: each an actor system of this process with its own
/// broker connection and its own in-memory log. Disposing makes every node still in the cluster leave.
/// </summary>
public sealed class TestCluster(RabbitMqServer broker) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, ActorSystem> systems = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, InMemoryLoggerProvider> logs = new(StringComparer.Ordinal);

    /// <summary>The cluster's name, unique per instance.</summary>
    public string Name { get; } = $"test-{Guid.NewGuid():N}"[..13];

    /// <summary>The message types the tests send.</summary>
    public static WireRegistry Wire() => new WireRegistry().Register<Ping>(1).Register<Pong>(2).Register<Blob>(3).Register<AnswerTo>(4);

    /// <summary>Fast heartbeats (200 ms, down after 1.5 s) and a 64 KiB message limit.</summary>
    public ClusterSettings Settings(string node, params string[] roles) => new()
    {
        ClusterName = Name,
        NodeName = node,
        Roles = roles,
        Broker = new BrokerSettings("127.0.0.1", broker.Port, broker.VirtualHost, broker.UserName, broker.Password),
        HeartbeatInterval = TimeSpan.FromMilliseconds(200),
        FailureTimeout = TimeSpan.FromSeconds(1.5),
        MaxMessageBytes = 64 << 10,
    };

    public Task<ClusterNode> JoinAsync(string node, params string[] roles) => JoinAsync(node, _ => { }, roles);

    /// <summary>Creates the node's actor system, lets <paramref name="beforeJoining"/> prepare it (subscriptions that
    /// must not miss the first events), and joins the cluster.</summary>
    public async Task<ClusterNode> JoinAsync(string node, Action<ActorSystem> beforeJoining, params string[] roles)
    {
        var provider = logs.GetOrAdd(node, _ => new InMemoryLoggerProvider());
        var system = ActorSystem.Create(node, loggerFactory: LoggerFactory.Create(b => b.AddProvider(provider).SetMinimumLevel(LogLevel.Debug)));
        if (!systems.TryAdd(node, system)) throw new InvalidOperationException($"the test already has a node {node}");
        beforeJoining(system);
        return await ClusterNode.JoinAsync(system, Settings(node, roles), Wire());
    }

    /// <summary>The actor system of <paramref name="node"/>.</summary>
    public ActorSystem System(string node) => systems[node];

    /// <summary>What <paramref name="node"/> logged.</summary>
    public InMemoryLoggerProvider Logs(string node) => logs[node];

    public async ValueTask DisposeAsync()
    {
        foreach (ActorSystem system in systems.Values)
        {
            try
            {
                await ClusterNode.Of(system).DisposeAsync();
            }
            catch (InvalidOperationException)
            {
                // this node left or crashed in the test
            }
            await system.Terminate();
        }
    }
}

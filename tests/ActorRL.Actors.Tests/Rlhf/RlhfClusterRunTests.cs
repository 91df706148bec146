using System.Collections.Concurrent;
using ActorRL.Actors.Cluster;
using ActorRL.Actors.Persistence;
using ActorRL.Actors.Rlhf;
using ActorRL.Actors.Rlhf.Cluster;
using ActorRL.Actors.Rlhf.Journal;
using ActorRL.Actors.Tests.Cluster;
using ActorRL.Actors.Tests.Persistence;
using Microsoft.Extensions.Logging;

namespace ActorRL.Actors.Tests.Rlhf;

/// <summary>
/// A smoke-size run whose roles live on four nodes (actor systems of this process, each with its own broker
/// connection) on a real RabbitMQ, with the journal in a real PostgreSQL: the coordinator and learner on one node, the
/// reference and reward on another, generation on two rollout nodes through the durable queues.
/// </summary>
[Collection(RabbitMqCollection.Name)]
public sealed class RlhfClusterRunTests(RabbitMqServer broker) : IAsyncLifetime
{
    private readonly PostgresServer postgres = new();
    private readonly string root = Directory.CreateTempSubdirectory("actorrl-cluster-run-").FullName;
    private readonly string cluster = $"run-{Guid.NewGuid():N}"[..12];
    private readonly List<(ActorSystem System, RlhfNode? Node)> nodes = [];
    private readonly ConcurrentDictionary<string, InMemoryLoggerProvider> logs = new();

    public Task InitializeAsync() => postgres.InitializeAsync();

    public async Task DisposeAsync()
    {
        foreach ((ActorSystem system, RlhfNode? node) in nodes)
        {
            if (node is not null) await node.DisposeAsync();
            await system.Terminate();
        }
        await postgres.DisposeAsync();
        Directory.Delete(root, recursive: true);
    }

    private ClusterSettings Cluster(string node, params string[] roles) => new()
    {
        ClusterName = cluster,
        NodeName = node,
        Roles = roles,
        Broker = new BrokerSettings("127.0.0.1", broker.Port, broker.VirtualHost, broker.UserName, broker.Password),
        HeartbeatInterval = TimeSpan.FromMilliseconds(250),
        FailureTimeout = TimeSpan.FromSeconds(2),
    };

    private ActorSystem System(string name)
    {
        var provider = logs.GetOrAdd(name, _ => new InMemoryLoggerProvider());
        return ActorSystem.Create(name, loggerFactory: LoggerFactory.Create(b => b.AddProvider(provider).SetMinimumLevel(LogLevel.Information)));
    }

    private async Task<RlhfNode> StartNodeAsync(RlhfRunSettings settings, string name, params string[] roles)
    {
        ActorSystem system = System(name);
        RlhfNode node = await RlhfNode.StartAsync(system, settings, Cluster(name, roles), postgres.ConnectionString);
        nodes.Add((system, node));
        return node;
    }

    [Fact]
    public async Task ADrtoRunWithItsRolesOnFourNodesRunsToCompletionAndTrainsEverySampleOnce()
    {
        RlhfRunSettings settings = SmokeRun.Settings(Path.Combine(root, "run"), "drto") with { ConfigSha256 = "cluster-test-config" };
        await StartNodeAsync(settings, "main", "coordinator", "learner");
        await StartNodeAsync(settings, "scorer", "reference", "reward");
        await StartNodeAsync(settings, "rollout-a", "rollout");
        await StartNodeAsync(settings, "rollout-b", "rollout");

        ActorSystem clientSystem = System("client");
        nodes.Add((clientSystem, null));
        var progress = new ConcurrentQueue<RunProgress>();
        RunEnded ended = await RlhfClusterClient.RunAsync(clientSystem, settings, Cluster("client"), progress.Enqueue, CancellationToken.None)
            .WaitAsync(TimeSpan.FromMinutes(4));

        Assert.Equal("", ended.Error);
        Assert.Equal(3, ended.StepsCompleted);
        Assert.Equal("main", ended.CoordinatorNode);
        Assert.Equal([1L, 2, 3], progress.Where(p => p.Stage == "rl" && p.Step > 0).Select(p => p.Step));

        // The journal, in PostgreSQL, holds every sample of the run in exactly one step.
        await using var stores = SqlPersistence.OpenPostgres(postgres.ConnectionString);
        RunHistory history = await RunJournal.ReadAsync(stores.Journal);
        Assert.True(history.Finished);
        Assert.Equal([1L, 2, 3], history.Steps.Select(s => s.Step));
        var ids = history.Steps.SelectMany(s => s.SampleIds).ToList();
        Assert.Equal(3 * settings.PromptsPerStep * settings.SamplesPerPrompt, ids.Count);
        Assert.Equal(ids.Count, ids.Distinct().Count());

        // The roles ran where they were placed: the learner on main, scoring on scorer, generation on the rollout nodes.
        Assert.Contains(logs["main"].Entries, e => e.Message.Contains("holds the lock of singleton rlhf", StringComparison.Ordinal));
        bool Started(string node, string role) => logs[node].Entries.Any(e => e.Message.Contains($"/user/roles started {role}-1 ({role})", StringComparison.Ordinal));
        Assert.True(Started("main", "learner"));
        Assert.True(Started("scorer", "reference"));
        Assert.True(Started("scorer", "reward"));
        Assert.False(Started("main", "reference") || Started("scorer", "learner"));
        Assert.Contains(nodes.Where(n => n.System.Name.StartsWith("rollout-", StringComparison.Ordinal)),
            n => n.System.ResolveLocal("/user/rollout/worker-1") is not null);
    }
}

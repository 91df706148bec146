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

    private static HashSet<long> UniqueSamples(RunHistory history, int expected)
    {
        var ids = history.Steps.SelectMany(s => s.SampleIds).ToList();
        Assert.Equal(expected, ids.Count);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        return [.. ids];
    }

    private async Task<RunHistory> JournalAsync()
    {
        await using var stores = SqlPersistence.OpenPostgres(postgres.ConnectionString);
        return await RunJournal.ReadAsync(stores.Journal);
    }

    private async Task CrashAsync(RlhfNode node)
    {
        var entry = nodes.Single(n => n.Node == node);
        await node.Cluster.CrashAsync();
        await entry.System.Terminate();
        nodes.Remove(entry);
    }

    [Fact]
    public async Task WhenTheCoordinatorsNodeDiesTheStandbyContinuesFromTheJournalAndTheClientFollows()
    {
        RlhfRunSettings settings = SmokeRun.Settings(Path.Combine(root, "run"), "drto", steps: 6) with { ConfigSha256 = "cluster-test-config", CheckpointEvery = 1 };
        RlhfNode main = await StartNodeAsync(settings, "main", "coordinator", "learner");
        await StartNodeAsync(settings, "standby", "coordinator", "learner", "reference", "reward");
        await StartNodeAsync(settings, "rollout-a", "rollout");

        ActorSystem clientSystem = System("client");
        nodes.Add((clientSystem, null));
        var progress = new ConcurrentQueue<RunProgress>();
        var crashed = new TaskCompletionSource();
        Task<RunEnded> run = RlhfClusterClient.RunAsync(clientSystem, settings, Cluster("client"), p =>
        {
            progress.Enqueue(p);
            if (p.Stage == "rl" && p.Step == 3) crashed.TrySetResult();
        }, CancellationToken.None);
        await crashed.Task.WaitAsync(TimeSpan.FromMinutes(2));
        await CrashAsync(main);

        RunEnded ended = await run.WaitAsync(TimeSpan.FromMinutes(3));
        Assert.Equal("", ended.Error);
        Assert.Equal(6, ended.StepsCompleted);
        Assert.Equal("standby", ended.CoordinatorNode);
        RunHistory history = await JournalAsync();
        Assert.True(history.Finished);
        Assert.True(history.Attempts >= 2, $"{history.Attempts} attempt(s)");
        Assert.Equal([1L, 2, 3, 4, 5, 6], history.Steps.Select(s => s.Step));
        UniqueSamples(history, 6 * settings.PromptsPerStep * settings.SamplesPerPrompt);
        // The standby continued from a checkpoint committed before the crash, not from the start.
        Assert.Contains(progress, p => p.Stage == "rl" && p.CoordinatorNode == "standby" && p.Step > 1);
        Assert.DoesNotContain(progress, p => p.Stage == "rl" && p.CoordinatorNode == "standby" && p.Step == 1);
    }

    [Fact]
    public async Task WhenARolloutNodeDiesItsWorkGoesToTheOtherAndNothingIsLostOrTrainedTwice()
    {
        RlhfRunSettings settings = SmokeRun.Settings(Path.Combine(root, "run"), "drto", steps: 6) with { ConfigSha256 = "cluster-test-config", RolloutWorkers = 4 };
        await StartNodeAsync(settings, "main", "coordinator", "learner", "reference", "reward");
        RlhfNode doomed = await StartNodeAsync(settings, "rollout-a", "rollout");
        await StartNodeAsync(settings, "rollout-b", "rollout");

        ActorSystem clientSystem = System("client");
        nodes.Add((clientSystem, null));
        var crashed = new TaskCompletionSource();
        Task<RunEnded> run = RlhfClusterClient.RunAsync(clientSystem, settings, Cluster("client"), p =>
        {
            if (p.Stage == "rl" && p.Step == 2) crashed.TrySetResult();
        }, CancellationToken.None);
        await crashed.Task.WaitAsync(TimeSpan.FromMinutes(2));
        await CrashAsync(doomed);

        RunEnded ended = await run.WaitAsync(TimeSpan.FromMinutes(3));
        Assert.Equal("", ended.Error);
        Assert.Equal(6, ended.StepsCompleted);
        RunHistory history = await JournalAsync();
        Assert.Equal(1, history.Attempts);
        Assert.Equal([1L, 2, 3, 4, 5, 6], history.Steps.Select(s => s.Step));
        UniqueSamples(history, 6 * settings.PromptsPerStep * settings.SamplesPerPrompt);
        Assert.Contains(logs["rollout-b"].Entries, e => e.Message.Contains("took its first generation chunk", StringComparison.Ordinal));
    }
}

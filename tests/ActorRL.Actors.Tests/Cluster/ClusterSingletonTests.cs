using System.Collections.Concurrent;
using ActorRL.Actors.Cluster;

namespace ActorRL.Actors.Tests.Cluster;

[Collection(RabbitMqCollection.Name)]
public sealed class ClusterSingletonTests(RabbitMqServer broker) : IAsyncLifetime
{
    private readonly TestCluster nodes = new(broker);
    private readonly ConcurrentQueue<string> starts = new();
    private readonly Dictionary<string, ClusterSingleton> candidates = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (ClusterSingleton candidate in candidates.Values) await candidate.DisposeAsync();
        await nodes.DisposeAsync();
    }

    /// <summary>Records on which node it started; answers a Ping with its node.</summary>
    private sealed class Coordinator : ReceiveActor
    {
        public Coordinator(string node, ConcurrentQueue<string> starts)
        {
            starts.Enqueue(node);
            Receive<Ping>(p => Sender.Tell(new Pong { N = p.N, FromNode = node }, Self));
        }
    }

    private async Task<ClusterNode> CandidateAsync(string name)
    {
        ClusterNode node = await nodes.JoinAsync(name, "coordinator");
        candidates[name] = ClusterSingleton.Start(nodes.System(name), "coordinator", Props.Create(() => new Coordinator(name, starts)));
        return node;
    }

    private IReadOnlyList<string> Running => [.. candidates.Where(c => c.Value.Instance is not null).Select(c => c.Key)];

    private static async Task<string> AskWhereAsync(ClusterNode from)
    {
        await Eventually.True(() => from.SingletonRef("coordinator") is not null, $"{from.Self.Node} learns where the singleton runs");
        return (await from.SingletonRef("coordinator")!.Ask<Pong>(new Ping { N = 1 }, TimeSpan.FromSeconds(10))).FromNode;
    }

    [Fact]
    public async Task ExactlyOneCandidateRunsTheSingletonAndEveryNodeReachesIt()
    {
        ClusterNode a = await CandidateAsync("a");
        ClusterNode b = await CandidateAsync("b");
        ClusterNode c = await CandidateAsync("c");

        await Eventually.True(() => Running.Count == 1, "one candidate runs it");
        await Task.Delay(TimeSpan.FromTicks(nodes.Settings("a").HeartbeatInterval.Ticks * 3)); // the others keep trying meanwhile
        string holder = Assert.Single(Running);
        Assert.Equal([holder], starts);
        foreach (ClusterNode from in new[] { a, b, c }) Assert.Equal(holder, await AskWhereAsync(from));
        await Eventually.True(() => a.SingletonHost("coordinator") == holder && c.SingletonHost("coordinator") == holder, "every node knows the holder");
    }

    [Fact]
    public async Task WhenTheHoldersNodeDiesAStandbyTakesOverAndNodesFollowIt()
    {
        var nodesByName = new Dictionary<string, ClusterNode>
        {
            ["a"] = await CandidateAsync("a"),
            ["b"] = await CandidateAsync("b"),
            ["c"] = await CandidateAsync("c"),
        };
        await Eventually.True(() => Running.Count == 1, "one candidate runs it");
        string first = Running.Single();

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await nodesByName[first].CrashAsync();
        await Eventually.True(() => Running.Any(r => r != first), "a standby takes over", TimeSpan.FromSeconds(15));
        TimeSpan takeover = clock.Elapsed;
        string second = Running.Single(r => r != first);

        Assert.True(takeover < nodes.Settings("a").FailureTimeout, $"the takeover took {takeover}, beyond the failure timeout");
        Assert.Equal([first, second], starts);
        string survivor = nodesByName.Keys.Single(n => n != first && n != second);
        await Eventually.True(() => nodesByName[survivor].SingletonHost("coordinator") == second, "the survivor follows the singleton");
        Assert.Equal(second, await AskWhereAsync(nodesByName[survivor]));
        // The dead node's instance stopped with its connection: never two at once.
        await Eventually.True(() => nodes.System(first).ResolveLocal("/user/coordinator") is null, "the old instance stopped");
    }

    [Fact]
    public async Task AHolderThatStopsHandsTheSingletonOver()
    {
        ClusterNode a = await CandidateAsync("a");
        await Eventually.True(() => Running.SequenceEqual(["a"]), "a runs it");
        ClusterNode b = await CandidateAsync("b");
        await Eventually.True(() => b.SingletonHost("coordinator") == "a", "b knows a runs it");

        await candidates["a"].DisposeAsync();
        candidates.Remove("a");
        await Eventually.True(() => Running.SequenceEqual(["b"]), "b takes over");
        Assert.Equal(["a", "b"], starts);
        Assert.Equal("b", await AskWhereAsync(a));
    }
}

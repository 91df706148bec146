using ActorRL.Actors.Routing;

namespace ActorRL.Actors.Tests;

public class RouterTests
{
    private static readonly TimeSpan Timeout = TestProbe.DefaultTimeout;

    /// <summary>Replies to every string with its own name; holds its turn on a Task; throws on Fail.</summary>
    private sealed class Routee : ReceiveActor
    {
        public Routee(IActorRef report)
        {
            Receive<string>(_ => Sender.Tell(Self.Path.Name));
            ReceiveAsync<Task>(gate =>
            {
                report.Tell($"holding {Self.Path.Name}");
                return gate;
            });
            Receive<Fail>(f => throw f.Cause);
        }
    }

    private static Props Routees(IActorRef report) => Props.Create(() => new Routee(report));

    [Fact]
    public async Task RoundRobinSpreadsMessagesEvenly()
    {
        await using var system = ActorSystem.Create("roundrobin");
        var probe = new TestProbe(system);
        var router = system.ActorOf(Routees(probe.Ref).WithRouter(new RoundRobinPool(4)), "pool");

        for (int i = 0; i < 100; i++) router.Tell("who", probe.Ref);

        var names = new List<string>();
        for (int i = 0; i < 100; i++) names.Add(await probe.ExpectMsgAsync<string>());
        var counts = names.GroupBy(n => n).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(4, counts.Count);
        Assert.All(counts.Values, c => Assert.Equal(25, c));
        Assert.All(counts.Keys, n => Assert.StartsWith("$r", n, StringComparison.Ordinal));
    }

    [Fact]
    public async Task BroadcastReachesEveryRoutee()
    {
        await using var system = ActorSystem.Create("broadcast");
        var probe = new TestProbe(system);
        var router = system.ActorOf(Routees(probe.Ref).WithRouter(new RoundRobinPool(5)), "pool");

        router.Tell(new Broadcast("who"), probe.Ref);

        var names = new HashSet<string>();
        for (int i = 0; i < 5; i++) names.Add(await probe.ExpectMsgAsync<string>());
        Assert.Equal(5, names.Count);
        await probe.ExpectNoMsgAsync();
    }

    [Fact]
    public async Task AskThroughARouterGetsTheRouteesReply()
    {
        await using var system = ActorSystem.Create("routerask");
        var router = system.ActorOf(Routees(system.DeadLetters).WithRouter(new RoundRobinPool(2)), "pool");

        Assert.Equal("$r0", await router.Ask<string>("who", Timeout));
        Assert.Equal("$r1", await router.Ask<string>("who", Timeout));
    }

    [Fact]
    public async Task SmallestMailboxLeavesABusyRouteeAlone()
    {
        await using var system = ActorSystem.Create("smallest");
        var probe = new TestProbe(system);
        var router = system.ActorOf(Routees(probe.Ref).WithRouter(new SmallestMailboxPool(4)), "pool");
        var gate = new TaskCompletionSource();

        router.Tell(gate.Task); // all are idle: the first routee takes it and stays busy
        string busy = (await probe.ExpectMsgAsync<string>())["holding ".Length..];

        var served = new List<string>();
        for (int i = 0; i < 20; i++) served.Add(await router.Ask<string>("who", Timeout));

        Assert.DoesNotContain(busy, served);
        gate.SetResult();
    }

    [Fact]
    public async Task AFailingRouteeIsRestartedAndThePoolCarriesOn()
    {
        await using var system = ActorSystem.Create("routeefail");
        var probe = new TestProbe(system);
        var router = system.ActorOf(Routees(probe.Ref).WithRouter(new RoundRobinPool(2)), "pool");

        router.Tell(new Fail(new InvalidOperationException("routee fails"))); // to $r0
        for (int i = 0; i < 4; i++) router.Tell("who", probe.Ref);

        var names = new List<string>();
        for (int i = 0; i < 4; i++) names.Add(await probe.ExpectMsgAsync<string>());
        Assert.Equal(2, names.Count(n => n == "$r0"));
        Assert.Equal(2, names.Count(n => n == "$r1"));
    }

    [Fact]
    public async Task ARouterStopsWhenAllItsRouteesHaveStopped()
    {
        await using var system = ActorSystem.Create("routerstop");
        var probe = new TestProbe(system);
        var router = system.ActorOf(Routees(probe.Ref).WithRouter(new RoundRobinPool(3)), "pool");
        await probe.WatchAsync(router);

        router.Tell(new Broadcast(PoisonPill.Instance));

        await probe.ExpectTerminatedAsync(router);
    }

    [Fact]
    public void APoolNeedsAtLeastOneRoutee()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RoundRobinPool(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SmallestMailboxPool(-1));
    }
}

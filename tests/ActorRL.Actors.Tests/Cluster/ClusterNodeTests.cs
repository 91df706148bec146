using System.Collections.Concurrent;
using ActorRL.Actors.Cluster;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using WireEnvelope = ActorRL.Actors.Cluster.Wire.Envelope;

namespace ActorRL.Actors.Tests.Cluster;

/// <summary>Nodes (actor systems of this process, each with its own broker connection) on a real RabbitMQ.</summary>
[Collection(RabbitMqCollection.Name)]
public sealed class ClusterNodeTests(RabbitMqServer broker) : IAsyncLifetime
{
    private readonly TestCluster nodes = new(broker);

    private string Cluster => nodes.Name;

    private ClusterSettings Settings(string node) => nodes.Settings(node);

    private Task<ClusterNode> JoinAsync(string node, params string[] roles) => nodes.JoinAsync(node, roles);

    private Task<ClusterNode> JoinAsync(string node, Action<ActorSystem> beforeJoining, params string[] roles) => nodes.JoinAsync(node, beforeJoining, roles);

    private ActorSystem SystemOf(ClusterNode node) => nodes.System(node.Self.Node);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await nodes.DisposeAsync();

    /// <summary>Answers a Ping with a Pong naming its node; answers AnswerTo by telling the ref it carries.</summary>
    private sealed class Echo : ReceiveActor
    {
        public Echo(string node)
        {
            Receive<Ping>(p => Sender.Tell(new Pong { N = p.N, FromNode = node }, Self));
            Receive<AnswerTo>(a => ClusterNode.Of(Context.System).Resolve(a.Actor).Tell(new Pong { N = a.N, FromNode = node }, Self));
        }
    }

    [Fact]
    public async Task AskAndTellReachAnActorOnAnotherNodeAndItsRepliesComeBack()
    {
        ClusterNode a = await JoinAsync("a");
        ClusterNode b = await JoinAsync("b");
        SystemOf(b).ActorOf(Props.Create(() => new Echo("b")), "echo");
        IActorRef echo = a.RefFor("b", "/user/echo");
        Assert.Equal($"actorrl://{Cluster}@b/user/echo", echo.Path.ToString());

        Pong asked = await echo.Ask<Pong>(new Ping { N = 7 }, TimeSpan.FromSeconds(10));
        Assert.Equal(7, asked.N);
        Assert.Equal("b", asked.FromNode);

        // An actor's Tell with itself as sender: the reply reaches it through Sender, and names the remote echo.
        var probe = new TestProbe(SystemOf(a));
        echo.Tell(new Ping { N = 8 }, probe.Ref);
        Pong told = await probe.ExpectMsgAsync<Pong>();
        Assert.Equal(8, told.N);
        Assert.Equal(echo, probe.LastSender);

        // A ref carried inside a message: the receiver resolves it and answers there.
        echo.Tell(new AnswerTo { Actor = a.PathOf(probe.Ref), N = 9 });
        Assert.Equal(9, (await probe.ExpectMsgAsync<Pong>()).N);
    }

    [Fact]
    public async Task MessagesFromOneActorToAnotherArriveInTheOrderTheyWereSent()
    {
        ClusterNode a = await JoinAsync("a");
        ClusterNode b = await JoinAsync("b");
        var received = new ConcurrentQueue<long>();
        var collector = new TestProbe(SystemOf(b));
        IActorRef remote = a.RefFor("b", collector.Ref.Path.ToStringWithoutAddress());
        for (long n = 0; n < 500; n++) remote.Tell(new Ping { N = n });
        for (long n = 0; n < 500; n++) received.Enqueue((await collector.ExpectMsgAsync<Ping>()).N);
        Assert.Equal(Enumerable.Range(0, 500).Select(n => (long)n), received);
    }

    [Fact]
    public async Task MembersSeeEachOtherUpWithTheirRolesAndALeavingNodeGoesDownAtOnce()
    {
        TestProbe events = null!;
        ClusterNode a = await JoinAsync("a", system =>
        {
            events = new TestProbe(system);
            system.EventStream.Subscribe<MemberUp>(events.Ref);
            system.EventStream.Subscribe<MemberDown>(events.Ref);
        }, "learner");
        ClusterNode b = await JoinAsync("b", "rollout", "reward");

        var up = new Dictionary<string, Member>();
        while (up.Count < 2)
        {
            MemberUp e = await events.ExpectMsgAsync<MemberUp>();
            up[e.Member.Node] = e.Member;
        }
        Assert.Equal(["learner"], up["a"].Roles);
        Assert.Equal(["rollout", "reward"], up["b"].Roles);
        Assert.True(up["b"].HasRole("reward"));
        await Eventually.True(() => b.Members.Count == 2, "b sees both members");
        Assert.Equal(["a", "b"], a.Members.Select(m => m.Node));

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await b.DisposeAsync();
        MemberDown down = await events.ExpectMsgAsync<MemberDown>();
        Assert.Equal("b", down.Member.Node);
        Assert.Equal("left the cluster", down.Reason);
        Assert.True(clock.Elapsed < Settings("a").FailureTimeout, $"a leaving node took {clock.Elapsed} to be marked down");
        Assert.Equal(["a"], a.Members.Select(m => m.Node));
    }

    [Fact]
    public async Task ANodeThatDiesIsMarkedDownOnceItsHeartbeatsStopForTheFailureTimeout()
    {
        ClusterNode a = await JoinAsync("a");
        var events = new TestProbe(SystemOf(a));
        SystemOf(a).EventStream.Subscribe<MemberDown>(events.Ref);
        ClusterNode b = await JoinAsync("b", "rollout");
        await Eventually.True(() => a.Members.Count == 2, "a sees b");

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await b.CrashAsync();
        MemberDown down = await events.ExpectMsgAsync<MemberDown>(TimeSpan.FromSeconds(15));
        Assert.Equal("b", down.Member.Node);
        Assert.StartsWith("no heartbeat for", down.Reason, StringComparison.Ordinal);
        Assert.True(clock.Elapsed >= Settings("a").FailureTimeout - Settings("a").HeartbeatInterval,
            $"b was marked down {clock.Elapsed} after it died, before the failure timeout");
        Assert.Equal(["a"], a.Members.Select(m => m.Node));
        Assert.Contains(nodes.Logs("a").Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("member b missed its heartbeats", StringComparison.Ordinal));
    }

    [Fact]
    public async Task MalformedUnknownAndOversizedWireMessagesAreLoggedAndDroppedAndTheNodeKeepsRunning()
    {
        ClusterNode a = await JoinAsync("a");
        ClusterNode b = await JoinAsync("b");
        SystemOf(b).ActorOf(Props.Create(() => new Echo("b")), "echo");
        string queue = ClusterNode.NodeQueue(Cluster, "b");

        await using (IConnection connection = await broker.CreateConnectionFactory().CreateConnectionAsync())
        await using (IChannel channel = await connection.CreateChannelAsync())
        {
            async Task PublishAsync(string type, byte[] body) =>
                await channel.BasicPublishAsync("", queue, mandatory: false, new BasicProperties { Type = type }, body);
            await PublishAsync("envelope", [0xff, 0xff, 0xff, 0x01, 0x02]);
            await PublishAsync("something-else", [1, 2, 3]);
            await PublishAsync("envelope", new WireEnvelope { Recipient = "/user/echo", TypeId = 999, Payload = ByteString.CopyFrom(1, 2) }.ToByteArray());
            await PublishAsync("envelope", new WireEnvelope { Recipient = "/user/echo", TypeId = 1, Payload = ByteString.CopyFrom(0xff, 0xff) }.ToByteArray());
            await PublishAsync("envelope", new WireEnvelope { Recipient = "/user/echo", TypeId = 3, Payload = ByteString.CopyFrom(new byte[(64 << 10) + 1]) }.ToByteArray());
        }

        Pong pong = await a.RefFor("b", "/user/echo").Ask<Pong>(new Ping { N = 1 }, TimeSpan.FromSeconds(10));
        Assert.Equal(1, pong.N);
        var dropped = nodes.Logs("b").Entries.Where(e => e.Level == LogLevel.Warning && e.Message.Contains("dropped a message from the wire", StringComparison.Ordinal)).ToList();
        Assert.Equal(5, dropped.Count);
        Assert.Contains(dropped, e => e.Message.Contains("unknown kind 'something-else'", StringComparison.Ordinal));
        Assert.Contains(dropped, e => e.Message.Contains("wire id 999 is not registered", StringComparison.Ordinal));
        Assert.Contains(dropped, e => e.Message.Contains("is not a valid ActorRL.Actors.Tests.Cluster.Ping", StringComparison.Ordinal));
        Assert.Contains(dropped, e => e.Message.Contains("above the limit of 65536 bytes", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AMessageAboveTheLimitOrOfAnUnregisteredTypeIsRefusedAtTheSenderNamingItsType()
    {
        ClusterNode a = await JoinAsync("a");
        IActorRef remote = a.RefFor("b", "/user/echo");

        var tooLarge = Assert.Throws<MessageTooLargeException>(() => remote.Tell(new Blob { Data = ByteString.CopyFrom(new byte[70_000]) }));
        Assert.Contains("ActorRL.Actors.Tests.Cluster.Blob is 70004 bytes", tooLarge.Message, StringComparison.Ordinal);
        Assert.Contains("limit of 65536 bytes", tooLarge.Message, StringComparison.Ordinal);

        var unregistered = Assert.Throws<ArgumentException>(() => remote.Tell("a string"));
        Assert.Contains("System.String is not registered for the wire", unregistered.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongCredentialsAndTheGuestAccountAreRefusedWithTheBrokerNamedAndNoPasswordShown()
    {
        await using var system = ActorSystem.Create("x");
        ClusterSettings wrong = Settings("x") with { Broker = Settings("x").Broker with { Password = "not-the-password-123" } };
        var error = await Assert.ThrowsAsync<ClusterJoinException>(() => ClusterNode.JoinAsync(system, wrong, TestCluster.Wire()));
        Assert.Contains($"cannot join cluster {Cluster} through the broker {broker.UserName}@127.0.0.1:{broker.Port}/", error.Message, StringComparison.Ordinal);
        Assert.Contains("refused the credentials", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password-123", error.Message, StringComparison.Ordinal);

        ClusterSettings guest = Settings("x") with { Broker = Settings("x").Broker with { UserName = "guest", Password = "guest" } };
        var refused = await Assert.ThrowsAsync<ClusterJoinException>(() => ClusterNode.JoinAsync(system, guest, TestCluster.Wire()));
        Assert.Contains("refused the credentials", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASecondNodeUnderATakenNameCannotJoin()
    {
        await JoinAsync("a");
        await using var other = ActorSystem.Create("a");
        var error = await Assert.ThrowsAsync<ClusterJoinException>(() => ClusterNode.JoinAsync(other, Settings("a"), TestCluster.Wire()));
        Assert.Contains("a node of that name is already in it", error.Message, StringComparison.Ordinal);
    }
}

public sealed class ClusterSettingsTests
{
    private static ClusterSettings Valid => new()
    {
        ClusterName = "c",
        NodeName = "n",
        Broker = new BrokerSettings("10.0.0.5", 5672, "/", "actorrl", "secret"),
    };

    [Fact]
    public void TheGuestAccountIsRefusedForABrokerOnAnotherMachineButNotOnLoopback()
    {
        Valid.Validate();
        var error = Assert.Throws<ArgumentException>(() => (Valid with { Broker = Valid.Broker with { UserName = "guest", Password = "guest" } }).Validate());
        Assert.Contains("cluster.broker.user: the guest account may be used only with a broker on this machine, not 10.0.0.5", error.Message, StringComparison.Ordinal);
        (Valid with { Broker = new BrokerSettings("127.0.0.1", 5672, "/", "guest", "guest") }).Validate();
        (Valid with { Broker = new BrokerSettings("localhost", 5672, "/", "guest", "guest") }).Validate();
        (Valid with { Broker = new BrokerSettings("::1", 5672, "/", "guest", "guest") }).Validate();
    }

    [Fact]
    public void MissingCredentialsBadNamesAndTimingsAreRefusedNamingTheSetting()
    {
        Assert.Contains("cluster.broker.user and cluster.broker.password are required",
            Assert.Throws<ArgumentException>(() => (Valid with { Broker = Valid.Broker with { Password = "" } }).Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("the node name must be letters",
            Assert.Throws<ArgumentException>(() => (Valid with { NodeName = "a b" }).Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("cluster.failure_timeout (1 s) must be at least twice the heartbeat interval (1 s)",
            Assert.Throws<ArgumentException>(() => (Valid with { FailureTimeout = TimeSpan.FromSeconds(1) }).Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("cluster.broker.port must be 1-65535, not 0",
            Assert.Throws<ArgumentException>(() => (Valid with { Broker = Valid.Broker with { Port = 0 } }).Validate()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheBrokerIsShownWithoutItsPassword() =>
        Assert.Equal("actorrl@10.0.0.5:5672/", Valid.Broker.ToString());
}

public sealed class WireRegistryTests
{
    [Fact]
    public void ARegisteredMessageRoundTripsUnderItsId()
    {
        WireRegistry wire = TestCluster.Wire();
        (uint id, byte[] payload) = wire.Serialize(new Pong { N = 42, FromNode = "b" }, 1024);
        Assert.Equal(2u, id);
        // Field 1 (varint) = 42, field 2 (length-delimited) = "b": 08 2a 12 01 62.
        Assert.Equal(new byte[] { 0x08, 0x2a, 0x12, 0x01, 0x62 }, payload);
        Assert.Equal(new Pong { N = 42, FromNode = "b" }, wire.Deserialize(2, payload));
    }

    [Fact]
    public void IdsAndTypesAreUniqueAndAnUnknownIdOrBadPayloadIsAWireFormatError()
    {
        WireRegistry wire = TestCluster.Wire();
        Assert.Contains("wire id 1 is already registered (for ActorRL.Actors.Tests.Cluster.Ping)",
            Assert.Throws<ArgumentException>(() => wire.Register<WireEnvelope>(1)).Message, StringComparison.Ordinal);
        Assert.Contains("already registered under wire id 2",
            Assert.Throws<ArgumentException>(() => wire.Register<Pong>(20)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => wire.Register<WireEnvelope>(0));
        Assert.Contains("wire id 77 is not registered", Assert.Throws<WireFormatException>(() => wire.Deserialize(77, new byte[] { 1 })).Message, StringComparison.Ordinal);
        Assert.Contains("is not a valid ActorRL.Actors.Tests.Cluster.Ping",
            Assert.Throws<WireFormatException>(() => wire.Deserialize(1, new byte[] { 0x08 })).Message, StringComparison.Ordinal);
    }

    private sealed record Step(long Number);

    [Fact]
    public void ARecordMappedToAProtobufMessageCrossesAsThatMessageAndComesBackAsTheRecord()
    {
        WireRegistry wire = new WireRegistry().Map<Step, Ping>(7, step => new Ping { N = step.Number },
            ping => ping.N >= 0 ? new Step(ping.N) : throw new ArgumentException($"a step number must not be negative, not {ping.N}"));
        (uint id, byte[] payload) = wire.Serialize(new Step(300), 1024);
        Assert.Equal(7u, id);
        Assert.Equal(new Ping { N = 300 }.ToByteArray(), payload);
        Assert.Equal(new Step(300), wire.Deserialize(7, payload));
        Assert.True(wire.IsRegistered(typeof(Step)));
        Assert.False(wire.IsRegistered(typeof(Ping)));
        // A value the record refuses is a wire-format error, like bytes that do not parse.
        var error = Assert.Throws<WireFormatException>(() => wire.Deserialize(7, new Ping { N = -1 }.ToByteArray()));
        Assert.Contains("a step number must not be negative, not -1", error.Message, StringComparison.Ordinal);
    }
}

using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using ActorRL.Actors.Cluster.Wire;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;
using WireEnvelope = ActorRL.Actors.Cluster.Wire.Envelope;

namespace ActorRL.Actors.Cluster;

/// <summary>
/// An actor system's membership in a cluster that runs on a RabbitMQ broker (an extension in Akka's terms; one per
/// system). It gives refs to actors on other nodes that behave as local ones (<see cref="IActorRef.Tell"/>,
/// <c>Ask</c>, replies to <c>Sender</c>), carries their messages as registered protobuf messages
/// (<see cref="WireRegistry"/>), and keeps the member list: every node heartbeats to all others, a node silent for
/// <see cref="ClusterSettings.FailureTimeout"/> is marked down, and <see cref="MemberUp"/> / <see cref="MemberDown"/>
/// are published on the system's event stream.
/// </summary>
/// <remarks>
/// <para>Each node consumes one queue of its own (<c>actorrl.&lt;cluster&gt;.node.&lt;node&gt;</c>, exclusive: it
/// disappears with the node's connection, and a second node under the same name cannot join), bound to the cluster's
/// fanout exchange for heartbeats. Messages between two actors arrive in the order they were sent. Delivery is at
/// most once, as between local actors: a message to a node that is down is lost (work that must survive a node
/// travels through durable queues with acknowledgements instead).</para>
/// <para>Anything from the wire that is not a message this node can read — not an envelope, an unregistered type id,
/// a payload that does not parse, or one above <see cref="ClusterSettings.MaxMessageBytes"/> — is logged and dropped;
/// the node keeps running.</para>
/// </remarks>
public sealed class ClusterNode : IAsyncDisposable
{
    private const string EnvelopeType = "envelope", HeartbeatType = "heartbeat";
    private static readonly ConditionalWeakTable<ActorSystem, ClusterNode> Joined = new();
    private static readonly TimeSpan TemporaryRefLifetime = TimeSpan.FromMinutes(10);

    private readonly ActorSystem system;
    private readonly WireRegistry wire;
    private readonly ILogger log;
    private readonly IConnection connection;
    private readonly IChannel consuming;
    private readonly IChannel publishing;
    private readonly Channel<Outgoing> outgoing = Channel.CreateUnbounded<Outgoing>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, Tracked> members = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (IActorRef Ref, DateTime Expires)> temporaryRefs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> singletonHosts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> hostedSingletons = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource stopping = new();
    private readonly CancellationTokenSource lost = new();
    private readonly Task publisher;
    private readonly Task heartbeats;
    private readonly long incarnation = ActorSystem.NewUid();
    private int disposed;

    private ClusterNode(ActorSystem system, ClusterSettings settings, WireRegistry wire, IConnection connection, IChannel consuming, IChannel publishing)
    {
        this.system = system;
        Settings = settings;
        this.wire = wire;
        this.connection = connection;
        this.consuming = consuming;
        this.publishing = publishing;
        log = system.LoggerFactory.CreateLogger("ActorRL.Actors.Cluster");
        Self = new Member(settings.NodeName, [.. settings.Roles], incarnation);
        publisher = Task.Run(PublishAsync);
        heartbeats = Task.Run(HeartbeatAsync);
    }

    /// <summary>This node's settings.</summary>
    public ClusterSettings Settings { get; }

    /// <summary>This node as a member.</summary>
    public Member Self { get; }

    /// <summary>The nodes currently up (this one once its first heartbeat came back), by name.</summary>
    public IReadOnlyList<Member> Members => [.. members.Values.Select(t => t.Member).OrderBy(m => m.Node, StringComparer.Ordinal)];

    /// <summary>The cluster node <paramref name="system"/> joined.</summary>
    /// <exception cref="InvalidOperationException">It has not joined a cluster.</exception>
    public static ClusterNode Of(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return Joined.TryGetValue(system, out ClusterNode? node) ? node
            : throw new InvalidOperationException($"the actor system '{system.Name}' has not joined a cluster; call ClusterNode.JoinAsync first");
    }

    /// <summary>
    /// Connects <paramref name="system"/> to the cluster's broker, declares its queue and starts heartbeating. The
    /// system's actors can then reach actors on other nodes through <see cref="RefFor"/> and <see cref="Resolve"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The settings are invalid (named in the message).</exception>
    /// <exception cref="ClusterJoinException">The broker is unreachable, refuses the credentials, or the node name is taken.</exception>
    public static async Task<ClusterNode> JoinAsync(ActorSystem system, ClusterSettings settings, WireRegistry wire, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(wire);
        settings.Validate();
        if (Joined.TryGetValue(system, out _)) throw new InvalidOperationException($"the actor system '{system.Name}' has already joined a cluster");

        var factory = new ConnectionFactory
        {
            HostName = settings.Broker.Host,
            Port = settings.Broker.Port,
            VirtualHost = settings.Broker.VirtualHost,
            UserName = settings.Broker.UserName,
            Password = settings.Broker.Password,
            ClientProvidedName = $"actorrl {settings.ClusterName}/{settings.NodeName}",
            // Node failure is the membership's business (heartbeats), not the client's: a dropped connection is not
            // silently recovered under the node's name.
            AutomaticRecoveryEnabled = false,
            RequestedHeartbeat = TimeSpan.FromSeconds(Math.Max(1, settings.FailureTimeout.TotalSeconds)),
            MaxInboundMessageBodySize = (uint)Math.Min(int.MaxValue, (long)settings.MaxMessageBytes + (1 << 20)),
        };
        IConnection connection;
        try
        {
            connection = await factory.CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (BrokerUnreachableException e)
        {
            string why = e.InnerException is AuthenticationFailureException or PossibleAuthenticationFailureException
                ? "the broker refused the credentials" : e.InnerException?.Message ?? e.Message;
            throw new ClusterJoinException($"node {settings.NodeName} cannot join cluster {settings.ClusterName} through the broker {settings.Broker}: {why}", e);
        }
        try
        {
            IChannel consuming = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            IChannel publishing = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            string exchange = MembersExchange(settings.ClusterName);
            string queue = NodeQueue(settings.ClusterName, settings.NodeName);
            await consuming.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: false, autoDelete: false, cancellationToken: cancellationToken).ConfigureAwait(false);
            try
            {
                await consuming.QueueDeclareAsync(queue, durable: false, exclusive: true, autoDelete: true, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 405)
            {
                throw new ClusterJoinException($"node {settings.NodeName} cannot join cluster {settings.ClusterName}: a node of that name is already in it", e);
            }
            await consuming.QueueBindAsync(queue, exchange, routingKey: "", cancellationToken: cancellationToken).ConfigureAwait(false);

            var node = new ClusterNode(system, settings, wire, connection, consuming, publishing);
            if (!Joined.TryAdd(system, node))
            {
                await node.DisposeAsync().ConfigureAwait(false);
                throw new InvalidOperationException($"the actor system '{system.Name}' has already joined a cluster");
            }
            var consumer = new AsyncEventingBasicConsumer(consuming);
            consumer.ReceivedAsync += (_, delivery) =>
            {
                node.Receive(delivery.BasicProperties.Type, delivery.Body);
                return Task.CompletedTask;
            };
            await consuming.BasicConsumeAsync(queue, autoAck: true, consumer, cancellationToken).ConfigureAwait(false);
            connection.ConnectionShutdownAsync += (_, reason) =>
            {
                if (Volatile.Read(ref node.disposed) == 0)
                {
                    node.log.LogError("node {Node} lost its broker connection ({Broker}): {Reason}", settings.NodeName, settings.Broker, reason.ReplyText);
                }
                node.lost.Cancel();
                return Task.CompletedTask;
            };
            node.log.LogInformation("node {Node} joined cluster {Cluster} through {Broker} with roles [{Roles}]",
                settings.NodeName, settings.ClusterName, settings.Broker, string.Join(", ", settings.Roles));
            return node;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>A new channel on this node's broker connection, for cluster features that declare their own exchanges
    /// and queues (work queues, weight broadcasts). The caller disposes it.</summary>
    internal Task<IChannel> OpenChannelAsync(CancellationToken cancellationToken = default) =>
        connection.CreateChannelAsync(cancellationToken: cancellationToken);

    /// <summary>As <see cref="OpenChannelAsync(CancellationToken)"/>, with channel options (publisher confirms).</summary>
    internal Task<IChannel> OpenChannelAsync(CreateChannelOptions? options, CancellationToken cancellationToken = default) =>
        connection.CreateChannelAsync(options, cancellationToken);

    /// <summary>The message types this node sends and reads.</summary>
    internal WireRegistry Wire => wire;

    /// <summary>Cancelled when this node's broker connection is gone (closed, lost or aborted): from then on it is cut
    /// off from the cluster, and what it hosts for the cluster (singletons) must stop.</summary>
    internal CancellationToken ConnectionLost => lost.Token;

    /// <summary>The node running the cluster singleton <paramref name="name"/> as the heartbeats tell it, or null when
    /// none is known to run it.</summary>
    public string? SingletonHost(string name) => singletonHosts.GetValueOrDefault(name);

    /// <summary>A ref to the cluster singleton <paramref name="name"/> (the actor <c>/user/&lt;name&gt;</c> of the node that
    /// runs it), or null while none is known to run it.</summary>
    public IActorRef? SingletonRef(string name) => SingletonHost(name) is { } host ? RefFor(host, "/user/" + name) : null;

    /// <summary>Says, from the next heartbeat on (sent at once), whether this node runs the singleton <paramref name="name"/>.</summary>
    internal void Hosts(string name, bool hosts)
    {
        if (hosts) hostedSingletons[name] = true;
        else hostedSingletons.TryRemove(name, out _);
        if (Volatile.Read(ref disposed) == 0) outgoing.Writer.TryWrite(HeartbeatMessage(leaving: false));
    }

    /// <summary>Where this node logs.</summary>
    internal ILogger Log => log;

    /// <summary>The queue a node receives on.</summary>
    public static string NodeQueue(string cluster, string node) => $"actorrl.{cluster}.node.{node}";

    /// <summary>The fanout exchange every node's queue is bound to (heartbeats).</summary>
    public static string MembersExchange(string cluster) => $"actorrl.{cluster}.members";

    /// <summary>The address of <paramref name="node"/>'s actors: <c>actorrl://cluster@node</c>.</summary>
    public Address AddressOf(string node) => new(Settings.ClusterName, node);

    /// <summary>A ref to the actor at <paramref name="path"/> (e.g. <c>/user/rlhf/learner</c>) on <paramref name="node"/>;
    /// for this node, the local actor when it exists.</summary>
    public IActorRef RefFor(string node, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(node);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ActorPath full = Path(node, path);
        if (node == Settings.NodeName && !path.StartsWith("/temp/", StringComparison.Ordinal) && system.ResolveLocal(path) is { } local) return local;
        return new RemoteActorRef(full, this);
    }

    /// <summary>A ref from its full path (<see cref="PathOf"/>), as carried inside messages.</summary>
    /// <exception cref="FormatException">Not an actor path of this cluster.</exception>
    public IActorRef Resolve(string actorPath)
    {
        ActorPath path = ActorPath.Parse(actorPath);
        if (path.Address.System != Settings.ClusterName || path.Address.Host is not { } node)
        {
            throw new FormatException($"'{actorPath}' is not an actor path of cluster {Settings.ClusterName}");
        }
        return RefFor(node, path.ToStringWithoutAddress());
    }

    /// <summary>The full path by which other nodes reach <paramref name="actor"/>, for carrying refs inside messages.</summary>
    public string PathOf(IActorRef actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        (string node, string path) = Locate(actor);
        return Path(node, path).ToString();
    }

    private ActorPath Path(string node, string path)
    {
        ActorPath full = ActorPath.Root(AddressOf(node));
        foreach (string name in path.Split('/', StringSplitOptions.RemoveEmptyEntries)) full = full.Child(name);
        return full;
    }

    // Where a reply to this ref must go: remote refs keep their node; local actors are reached by their path; anything
    // else local (an Ask's temporary ref) is registered for a while under its path.
    private (string Node, string Path) Locate(IActorRef actor)
    {
        if (actor is RemoteActorRef remote) return (remote.Path.Address.Host!, remote.Path.ToStringWithoutAddress());
        string path = actor.Path.ToStringWithoutAddress();
        if (actor is not LocalActorRef)
        {
            DateTime now = DateTime.UtcNow;
            foreach (var (key, entry) in temporaryRefs)
            {
                if (entry.Expires < now) temporaryRefs.TryRemove(key, out _);
            }
            temporaryRefs[path] = (actor, now + TemporaryRefLifetime);
        }
        return (Settings.NodeName, path);
    }

    /// <summary>Serializes <paramref name="message"/> now (so a bad one fails the sender) and queues it for the broker.</summary>
    internal void Send(ActorPath recipient, object message, IActorRef? sender)
    {
        (uint id, byte[] payload) = wire.Serialize(message, Settings.MaxMessageBytes);
        var envelope = new WireEnvelope { Recipient = recipient.ToStringWithoutAddress(), TypeId = id, Payload = UnsafeByteOperations.UnsafeWrap(payload) };
        if (sender is not null && !ReferenceEquals(sender, system.DeadLetters))
        {
            (envelope.SenderNode, envelope.SenderPath) = Locate(sender);
        }
        if (Volatile.Read(ref disposed) != 0)
        {
            system.DeadLetters.Tell(message, sender);
            return;
        }
        outgoing.Writer.TryWrite(new Outgoing("", NodeQueue(Settings.ClusterName, recipient.Address.Host!), EnvelopeType, envelope.ToByteArray()));
    }

    private void Receive(string? type, ReadOnlyMemory<byte> body)
    {
        try
        {
            if (body.Length > Settings.MaxMessageBytes + 4096)
            {
                throw new WireFormatException($"a {body.Length}-byte message is above the limit of {Settings.MaxMessageBytes} bytes (cluster.max_message_bytes)");
            }
            switch (type)
            {
                case EnvelopeType:
                    Deliver(WireEnvelope.Parser.ParseFrom(body.Span));
                    break;
                case HeartbeatType:
                    Heard(Heartbeat.Parser.ParseFrom(body.Span));
                    break;
                default:
                    throw new WireFormatException($"a message of unknown kind '{type}' ({body.Length} bytes)");
            }
        }
        catch (Exception e) when (e is WireFormatException or InvalidProtocolBufferException or FormatException)
        {
            log.LogWarning("node {Node} dropped a message from the wire: {Error}", Settings.NodeName, e.Message);
        }
    }

    private void Deliver(WireEnvelope envelope)
    {
        if (envelope.Payload.Length > Settings.MaxMessageBytes)
        {
            throw new WireFormatException($"a {envelope.Payload.Length}-byte payload for {envelope.Recipient} is above the limit of {Settings.MaxMessageBytes} bytes (cluster.max_message_bytes)");
        }
        object message = wire.Deserialize(envelope.TypeId, envelope.Payload.Memory);
        IActorRef? sender = envelope.SenderNode.Length == 0 ? null : RefFor(envelope.SenderNode, envelope.SenderPath);
        if (envelope.Recipient.StartsWith("/temp/", StringComparison.Ordinal))
        {
            // An Ask's temporary ref takes one reply.
            if (temporaryRefs.TryRemove(envelope.Recipient, out var temporary)) temporary.Ref.Tell(message, sender);
            else log.LogDebug("dropped a {Message} for {Recipient}, which has had its reply or expired", message.GetType().Name, envelope.Recipient);
            return;
        }
        if (system.ResolveLocal(envelope.Recipient) is { } recipient) recipient.Tell(message, sender);
        else system.DeadLetters.Tell(message, sender);
    }

    private void Heard(Heartbeat heartbeat)
    {
        if (heartbeat.Node.Length == 0) throw new WireFormatException("a heartbeat without a node name");
        if (heartbeat.Leaving)
        {
            if (members.TryRemove(heartbeat.Node, out Tracked? left)) Down(left.Member, "left the cluster");
            return;
        }
        UpdateSingletons(heartbeat.Node, heartbeat.Singletons);
        DateTime now = DateTime.UtcNow;
        Tracked? known = members.GetValueOrDefault(heartbeat.Node);
        if (known is not null && known.Member.Incarnation == heartbeat.Incarnation)
        {
            known.LastHeard = now;
            return;
        }
        var member = new Member(heartbeat.Node, [.. heartbeat.Roles], heartbeat.Incarnation);
        if (known is not null) system.EventStream.Publish(new MemberDown(known.Member, "restarted"));
        members[heartbeat.Node] = new Tracked(member) { LastHeard = now };
        log.LogInformation("node {Node}: member {Member} is up with roles [{Roles}]", Settings.NodeName, member.Node, string.Join(", ", member.Roles));
        system.EventStream.Publish(new MemberUp(member));
    }

    // A node's heartbeat names the singletons it runs; a singleton it no longer names has stopped there.
    private void UpdateSingletons(string node, IReadOnlyCollection<string> names)
    {
        foreach (string name in names)
        {
            string? before = singletonHosts.GetValueOrDefault(name);
            if (before == node) continue;
            singletonHosts[name] = node;
            log.LogInformation("node {Node}: singleton {Singleton} runs on {Host}", Settings.NodeName, name, node);
            system.EventStream.Publish(new SingletonMoved(name, node));
        }
        foreach (var (name, host) in singletonHosts)
        {
            if (host == node && !names.Contains(name) && singletonHosts.TryRemove(new KeyValuePair<string, string>(name, host)))
            {
                system.EventStream.Publish(new SingletonMoved(name, null));
            }
        }
    }

    private void Down(Member member, string reason)
    {
        UpdateSingletons(member.Node, []);
        system.EventStream.Publish(new MemberDown(member, reason));
    }

    private Outgoing HeartbeatMessage(bool leaving)
    {
        var beat = new Heartbeat { Node = Settings.NodeName, Incarnation = incarnation, Leaving = leaving };
        beat.Roles.AddRange(Settings.Roles);
        if (!leaving) beat.Singletons.AddRange(hostedSingletons.Keys.Order(StringComparer.Ordinal));
        return new Outgoing(MembersExchange(Settings.ClusterName), "", HeartbeatType, beat.ToByteArray());
    }

    private async Task HeartbeatAsync()
    {
        using var timer = new PeriodicTimer(Settings.HeartbeatInterval);
        do
        {
            outgoing.Writer.TryWrite(HeartbeatMessage(leaving: false));
            DateTime now = DateTime.UtcNow;
            foreach (var (name, tracked) in members)
            {
                TimeSpan silent = now - tracked.LastHeard;
                if (name != Settings.NodeName && silent > Settings.FailureTimeout && members.TryRemove(new KeyValuePair<string, Tracked>(name, tracked)))
                {
                    log.LogWarning("node {Node}: member {Member} missed its heartbeats for {Silent:0.0} s: marked down", Settings.NodeName, name, silent.TotalSeconds);
                    Down(tracked.Member, $"no heartbeat for {silent.TotalSeconds:0.0} s");
                }
            }
        }
        while (await WaitAsync(timer).ConfigureAwait(false));
    }

    private async Task<bool> WaitAsync(PeriodicTimer timer)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    // One publisher for the node, so that messages leave in the order they were sent.
    private async Task PublishAsync()
    {
        await foreach (Outgoing message in outgoing.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                var properties = new BasicProperties { Type = message.Type };
                await publishing.BasicPublishAsync(message.Exchange, message.RoutingKey, mandatory: false, properties, message.Body).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationInterruptedException or AlreadyClosedException or IOException or ObjectDisposedException)
            {
                log.LogError("node {Node} could not publish to {Target}: {Error}", Settings.NodeName,
                    message.Exchange.Length > 0 ? message.Exchange : message.RoutingKey, e.Message);
            }
        }
    }

    /// <summary>Leaves the cluster (the others mark this node down at once), then closes the broker connection.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0) return;
        Joined.Remove(system);
        await stopping.CancelAsync().ConfigureAwait(false);
        await heartbeats.ConfigureAwait(false);
        outgoing.Writer.TryWrite(HeartbeatMessage(leaving: true));
        outgoing.Writer.TryComplete();
        await publisher.ConfigureAwait(false);
        await CloseAsync().ConfigureAwait(false);
        log.LogInformation("node {Node} left cluster {Cluster}", Settings.NodeName, Settings.ClusterName);
    }

    /// <summary>Drops the broker connection without leaving, as a node that dies does: the others notice only when its
    /// heartbeats stop. For fault tests.</summary>
    internal async Task CrashAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0) return;
        Joined.Remove(system);
        await stopping.CancelAsync().ConfigureAwait(false);
        outgoing.Writer.TryComplete();
        await connection.AbortAsync().ConfigureAwait(false);
        await Task.WhenAll(heartbeats, publisher).ConfigureAwait(false);
        connection.Dispose();
        stopping.Dispose();
    }

    private async Task CloseAsync()
    {
        try
        {
            await consuming.CloseAsync().ConfigureAwait(false);
            await publishing.CloseAsync().ConfigureAwait(false);
            await connection.CloseAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationInterruptedException or AlreadyClosedException or IOException)
        {
            log.LogDebug("node {Node}: the broker connection was already gone: {Error}", Settings.NodeName, e.Message);
        }
        consuming.Dispose();
        publishing.Dispose();
        connection.Dispose();
        stopping.Dispose();
    }

    private sealed record Outgoing(string Exchange, string RoutingKey, string Type, byte[] Body);

    private sealed class Tracked(Member member)
    {
        public Member Member { get; } = member;

        public DateTime LastHeard { get; set; }
    }
}

/// <summary>A node could not join its cluster; the message says why (broker unreachable, credentials refused, name taken).</summary>
public sealed class ClusterJoinException(string message, Exception inner) : Exception(message, inner);

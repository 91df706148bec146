using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace ActorRL.Actors.Cluster;

/// <summary>
/// A durable queue of work between nodes (generation requests, finished rollouts): messages are persistent and a
/// publish completes once the broker has them (publisher confirms); consumers take a bounded number at a time and
/// acknowledge each when its work is done. What a consumer had not acknowledged when its node died or left is
/// delivered again to the other consumers, marked <see cref="WorkDelivered.Redelivered"/>: nothing is lost, and the
/// receiver of the results drops duplicates by id.
/// </summary>
/// <remarks>Messages are registered wire messages (<see cref="WireRegistry"/>) of the node. A message in the queue that
/// this node cannot read is logged and rejected without requeueing, so it cannot cycle forever.</remarks>
public sealed class WorkQueue : IAsyncDisposable
{
    private const string TypePrefix = "wire:";
    private readonly ClusterNode node;
    private readonly IChannel publishing;
    private readonly List<WorkConsumer> consumers = [];

    private WorkQueue(ClusterNode node, string name, IChannel publishing)
    {
        this.node = node;
        Name = name;
        this.publishing = publishing;
    }

    /// <summary>The broker queue's name: <c>actorrl.&lt;cluster&gt;.work.&lt;name&gt;</c>.</summary>
    public string Name { get; }

    /// <summary>Declares the durable queue <paramref name="name"/> of <paramref name="node"/>'s cluster (idempotent: every
    /// node that uses it declares it) and opens a publishing channel on the node's connection.</summary>
    public static async Task<WorkQueue> OpenAsync(ClusterNode node, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentException.ThrowIfNullOrEmpty(name);
        string queue = QueueName(node.Settings.ClusterName, name);
        IChannel channel = await node.OpenChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
            cancellationToken).ConfigureAwait(false);
        try
        {
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await channel.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return new WorkQueue(node, queue, channel);
    }

    /// <summary>The broker queue of work queue <paramref name="name"/> in <paramref name="cluster"/>.</summary>
    public static string QueueName(string cluster, string name) => $"actorrl.{cluster}.work.{name}";

    /// <summary>Publishes <paramref name="messages"/> persistently; completes once the broker has confirmed every one.</summary>
    /// <exception cref="ArgumentException">A message's type is not registered for the wire.</exception>
    /// <exception cref="MessageTooLargeException">A message is above the cluster's limit.</exception>
    public async Task PublishAsync(IEnumerable<object> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var serialized = messages.Select(m => node.Wire.Serialize(m, node.Settings.MaxMessageBytes)).ToList();
        var confirms = new List<Task>(serialized.Count);
        foreach ((uint id, byte[] payload) in serialized)
        {
            var properties = new BasicProperties { Type = TypePrefix + id.ToString(CultureInfo.InvariantCulture), Persistent = true };
            confirms.Add(publishing.BasicPublishAsync("", Name, mandatory: true, properties, payload, cancellationToken).AsTask());
        }
        await Task.WhenAll(confirms).ConfigureAwait(false);
    }

    /// <summary>Publishes one message; see <see cref="PublishAsync(IEnumerable{object}, CancellationToken)"/>.</summary>
    public Task PublishAsync(object message, CancellationToken cancellationToken = default) => PublishAsync([message], cancellationToken);

    /// <summary>
    /// Delivers the queue's messages to <paramref name="deliverTo"/> as <see cref="WorkDelivered"/>, at most
    /// <paramref name="prefetch"/> unacknowledged at a time; the actor acknowledges each through its receipt once the
    /// work is done (and its result published). Stops when disposed or when the node goes.
    /// </summary>
    public async Task<WorkConsumer> ConsumeAsync(IActorRef deliverTo, ushort prefetch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deliverTo);
        ArgumentOutOfRangeException.ThrowIfZero(prefetch);
        IChannel channel = await node.OpenChannelAsync(null, cancellationToken).ConfigureAwait(false);
        var consumer = new WorkConsumer(node, Name, channel, deliverTo);
        try
        {
            await channel.BasicQosAsync(0, prefetch, global: false, cancellationToken).ConfigureAwait(false);
            await consumer.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await consumer.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        lock (consumers) consumers.Add(consumer);
        return consumer;
    }

    /// <summary>Drops every message waiting in the queue (those delivered and not yet acknowledged stay with their consumers).</summary>
    public async Task PurgeAsync(CancellationToken cancellationToken = default) =>
        await publishing.QueuePurgeAsync(Name, cancellationToken).ConfigureAwait(false);

    /// <summary>How many messages wait in the queue (not counting those delivered and not yet acknowledged).</summary>
    public async Task<uint> CountAsync(CancellationToken cancellationToken = default) =>
        await publishing.MessageCountAsync(Name, cancellationToken).ConfigureAwait(false);

    /// <summary>Stops this node's consumers (their unacknowledged messages go back to the queue) and closes the channel.</summary>
    public async ValueTask DisposeAsync()
    {
        WorkConsumer[] open;
        lock (consumers) open = [.. consumers];
        foreach (WorkConsumer consumer in open) await consumer.DisposeAsync().ConfigureAwait(false);
        await ClusterChannels.CloseQuietlyAsync(publishing).ConfigureAwait(false);
    }

    internal static bool TryParseType(string? type, out uint id)
    {
        id = 0;
        return type is not null && type.StartsWith(TypePrefix, StringComparison.Ordinal)
            && uint.TryParse(type.AsSpan(TypePrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out id);
    }
}

/// <summary>A message of a <see cref="WorkQueue"/> for an actor to work on; acknowledge it through <see cref="Receipt"/>
/// once done.</summary>
/// <param name="Message">The message.</param>
/// <param name="Receipt">Acknowledges (or returns) it.</param>
/// <param name="Redelivered">Whether another consumer had it before (its node died or left before acknowledging).</param>
public sealed record WorkDelivered(object Message, WorkReceipt Receipt, bool Redelivered);

/// <summary>Acknowledges one delivered message, once; acknowledgements go to the broker in the order they are made.</summary>
public sealed class WorkReceipt
{
    private readonly WorkConsumer consumer;
    private readonly ulong tag;
    private int settled;

    internal WorkReceipt(WorkConsumer consumer, ulong tag)
    {
        this.consumer = consumer;
        this.tag = tag;
    }

    /// <summary>The work is done: the broker forgets the message.</summary>
    public void Ack() => Settle(requeue: null);

    /// <summary>The work was not done here: the message goes back to the queue for any consumer.</summary>
    public void Return() => Settle(requeue: true);

    private void Settle(bool? requeue)
    {
        if (Interlocked.Exchange(ref settled, 1) != 0) throw new InvalidOperationException("this delivery was already acknowledged or returned");
        consumer.Settle(tag, requeue);
    }
}

/// <summary>One node's consumer of a <see cref="WorkQueue"/>; disposing it returns its unacknowledged messages to the queue.</summary>
public sealed class WorkConsumer : IAsyncDisposable
{
    private readonly ClusterNode node;
    private readonly string queue;
    private readonly IChannel channel;
    private readonly IActorRef deliverTo;
    private readonly Channel<(ulong Tag, bool? Requeue)> settlements = Channel.CreateUnbounded<(ulong, bool?)>(new UnboundedChannelOptions { SingleReader = true });
    private Task? settling;

    internal WorkConsumer(ClusterNode node, string queue, IChannel channel, IActorRef deliverTo)
    {
        this.node = node;
        this.queue = queue;
        this.channel = channel;
        this.deliverTo = deliverTo;
    }

    internal async Task StartAsync(CancellationToken cancellationToken)
    {
        settling = Task.Run(SettleAsync, CancellationToken.None);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            Deliver(delivery);
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(queue, autoAck: false, consumer, cancellationToken).ConfigureAwait(false);
    }

    private void Deliver(BasicDeliverEventArgs delivery)
    {
        object message;
        try
        {
            if (!WorkQueue.TryParseType(delivery.BasicProperties.Type, out uint id))
            {
                throw new WireFormatException($"a message of unknown kind '{delivery.BasicProperties.Type}' ({delivery.Body.Length} bytes)");
            }
            if (delivery.Body.Length > node.Settings.MaxMessageBytes)
            {
                throw new WireFormatException($"a {delivery.Body.Length}-byte message is above the limit of {node.Settings.MaxMessageBytes} bytes (cluster.max_message_bytes)");
            }
            message = node.Wire.Deserialize(id, delivery.Body);
        }
        catch (WireFormatException e)
        {
            node.Log.LogWarning("node {Node} dropped a message of work queue {Queue}: {Error}", node.Settings.NodeName, queue, e.Message);
            settlements.Writer.TryWrite((delivery.DeliveryTag, false));
            return;
        }
        deliverTo.Tell(new WorkDelivered(message, new WorkReceipt(this, delivery.DeliveryTag), delivery.Redelivered));
    }

    internal void Settle(ulong tag, bool? requeue) => settlements.Writer.TryWrite((tag, requeue));

    // Acks from any thread go out through one loop: a channel's operations are not meant to interleave.
    private async Task SettleAsync()
    {
        await foreach ((ulong tag, bool? requeue) in settlements.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                if (requeue is null) await channel.BasicAckAsync(tag, multiple: false).ConfigureAwait(false);
                else await channel.BasicRejectAsync(tag, requeue.Value).ConfigureAwait(false);
            }
            catch (Exception e) when (e is AlreadyClosedException or OperationInterruptedException or ObjectDisposedException)
            {
                // The broker returns what this consumer held once its channel is gone.
                node.Log.LogDebug("node {Node}: could not settle delivery {Tag} of {Queue}: {Error}", node.Settings.NodeName, tag, queue, e.Message);
            }
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        settlements.Writer.TryComplete();
        if (settling is not null) await settling.ConfigureAwait(false);
        await ClusterChannels.CloseQuietlyAsync(channel).ConfigureAwait(false);
    }
}

/// <summary>Closing channels whose connection may already be gone.</summary>
internal static class ClusterChannels
{
    public static async Task CloseQuietlyAsync(IChannel channel)
    {
        try
        {
            if (channel.IsOpen) await channel.CloseAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is AlreadyClosedException or OperationInterruptedException or IOException or ObjectDisposedException)
        {
            // Closed with its connection: nothing left to do.
        }
        channel.Dispose();
    }
}

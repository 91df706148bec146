using System.Buffers;
using System.Diagnostics;
using System.Text.RegularExpressions;
using ActorRL.Actors.Cluster.Wire;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace ActorRL.Actors.Cluster;

/// <summary>One complete, verified policy version as a <see cref="WeightsSubscriber"/> hands it over.</summary>
/// <param name="Version">The version the learner published it under.</param>
/// <param name="Bytes">The whole version, exactly as published (every chunk's CRC-32C was checked); the receiver owns it.</param>
public sealed record ReceivedWeights(long Version, byte[] Bytes);

/// <summary>
/// The learner's side of a weights topic: publishes each policy version, in chunks, to every node subscribed to the
/// topic (<see cref="WeightsSubscriber"/>), and sends the current version to each subscriber that starts later.
/// </summary>
/// <remarks>
/// <para>Chunks go to the fanout exchange <c>actorrl.&lt;cluster&gt;.weights.&lt;topic&gt;</c>; a subscriber's
/// request for the current version (<see cref="WeightsWanted"/>) comes through the fanout exchange
/// <c>actorrl.&lt;cluster&gt;.weights.&lt;topic&gt;.wanted</c>. The publisher offers it the current version
/// (<see cref="WeightsOffer"/>), and sends that version, to that subscriber's queue only, if the subscriber asks for it:
/// a node that joins late does not make every other node receive the version again, and one that started just before
/// a publication does not receive it twice.</para>
/// <para>One publisher per topic: versions must increase, and subscribers drop anything not newer than what they
/// have.</para>
/// </remarks>
public sealed class WeightsPublisher : IAsyncDisposable
{
    private readonly ClusterNode node;
    private readonly IChannel publishing;
    private readonly IChannel listening;
    private readonly int chunkBytes;
    private readonly string exchange;
    private readonly string subscriberQueuePrefix;
    // Serializes whole versions on the channel: chunks of two versions (or of a version and a late joiner's copy) must
    // not interleave, and the version check must see the last publication that completed.
    private readonly SemaphoreSlim sending = new(1, 1);
    private readonly CancellationTokenSource stopping = new();
    private Latest? latest;
    private int disposed;

    private WeightsPublisher(ClusterNode node, string topic, int chunkBytes, IChannel publishing, IChannel listening)
    {
        this.node = node;
        Topic = topic;
        this.chunkBytes = chunkBytes;
        this.publishing = publishing;
        this.listening = listening;
        exchange = WeightsTopic.Exchange(node.Settings.ClusterName, topic);
        subscriberQueuePrefix = WeightsTopic.SubscriberQueuePrefix(node.Settings.ClusterName, topic);
    }

    /// <summary>The topic this publisher publishes.</summary>
    public string Topic { get; }

    /// <summary>The largest chunk of weights per message, in bytes.</summary>
    public int ChunkBytes => chunkBytes;

    /// <summary>The last version the broker confirmed in full; <c>null</c> before the first.</summary>
    public long? LatestVersion => Volatile.Read(ref latest)?.Version;

    /// <summary>
    /// Declares the topic's exchanges on <paramref name="node"/>'s cluster (idempotently, so publisher and subscribers
    /// may start in any order) and starts answering subscribers that ask for the current version.
    /// </summary>
    /// <param name="node">The node the publisher runs on.</param>
    /// <param name="topic">The topic's name (letters, digits, '-', '_', '.').</param>
    /// <param name="chunkBytes">The largest piece of weights per message; at most the node's
    /// <see cref="ClusterSettings.MaxMessageBytes"/> less <see cref="WeightsTopic.HeaderBytes"/> for the chunk's header.</param>
    /// <param name="ct">Cancels the declarations.</param>
    /// <exception cref="ArgumentException">The topic is not a valid name, or <paramref name="chunkBytes"/> is out of range
    /// (the message names the values and the limit).</exception>
    public static async Task<WeightsPublisher> CreateAsync(ClusterNode node, string topic, int chunkBytes = 4 << 20, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        WeightsTopic.Validate(topic);
        int limit = node.Settings.MaxMessageBytes - WeightsTopic.HeaderBytes;
        if (chunkBytes < 1 || chunkBytes > limit)
        {
            throw new ArgumentException(
                $"chunkBytes ({chunkBytes}) for weights topic '{topic}' must be 1 to {limit} bytes: node {node.Settings.NodeName}'s message limit " +
                $"(cluster.max_message_bytes = {node.Settings.MaxMessageBytes}) less {WeightsTopic.HeaderBytes} bytes for the chunk's header", nameof(chunkBytes));
        }

        // Confirms, tracked by the client: a publish completes only once the broker holds the chunk, so PublishAsync
        // completing means every chunk made it.
        IChannel publishing = await node.OpenChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct)
            .ConfigureAwait(false);
        IChannel? listening = null;
        try
        {
            listening = await node.OpenChannelAsync(ct).ConfigureAwait(false);
            await WeightsTopic.DeclareAsync(listening, node.Settings.ClusterName, topic, ct).ConfigureAwait(false);
            string queue = WeightsTopic.UniqueName(WeightsTopic.WantedExchange(node.Settings.ClusterName, topic));
            await listening.QueueDeclareAsync(queue, durable: false, exclusive: true, autoDelete: true, cancellationToken: ct).ConfigureAwait(false);
            await listening.QueueBindAsync(queue, WeightsTopic.WantedExchange(node.Settings.ClusterName, topic), routingKey: "", cancellationToken: ct).ConfigureAwait(false);

            var publisher = new WeightsPublisher(node, topic, chunkBytes, publishing, listening);
            var consumer = new AsyncEventingBasicConsumer(listening);
            consumer.ReceivedAsync += (_, delivery) => publisher.OnWantedAsync(delivery.BasicProperties.Type, delivery.Body);
            await listening.BasicConsumeAsync(queue, autoAck: true, consumer, ct).ConfigureAwait(false);
            node.Log.LogInformation("node {Node} publishes weights topic {Topic} in chunks of up to {ChunkBytes} bytes", node.Settings.NodeName, topic, chunkBytes);
            return publisher;
        }
        catch
        {
            await WeightsTopic.CloseAsync(publishing, node.Log).ConfigureAwait(false);
            if (listening is not null) await WeightsTopic.CloseAsync(listening, node.Log).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Publishes <paramref name="weights"/> as <paramref name="version"/> to every subscriber of the topic; completes
    /// once the broker has confirmed every chunk. The publisher keeps a reference to <paramref name="weights"/> (no
    /// copy) to send it to subscribers that start later: the caller must not change those bytes afterwards.
    /// </summary>
    /// <param name="version">The version: not negative, and above every version published before.</param>
    /// <param name="weights">The whole version (up to 2 GiB).</param>
    /// <param name="ct">Cancels the publication; subscribers then never see this version (they drop incomplete ones).</param>
    /// <exception cref="ArgumentException"><paramref name="version"/> is negative or not above the last published one.</exception>
    /// <exception cref="ObjectDisposedException">The publisher was disposed.</exception>
    public async Task PublishAsync(long version, ReadOnlyMemory<byte> weights, CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        if (version < 0) throw new ArgumentException($"weights version {version} of topic {Topic} must not be negative", nameof(version));
        await sending.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (latest is { } last && version <= last.Version)
            {
                throw new ArgumentException($"weights version {version} of topic {Topic} must be above the last published version {last.Version}", nameof(version));
            }
            var clock = Stopwatch.StartNew();
            var next = new Latest(version, weights);
            int chunks = await SendAsync(exchange, "", next, ct).ConfigureAwait(false);
            Volatile.Write(ref latest, next);
            double seconds = Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
            node.Log.LogInformation("node {Node} published weights version {Version} of topic {Topic}: {Bytes} bytes in {Chunks} chunk(s), {Seconds:0.000} s ({MiBPerSecond:0.0} MiB/s)",
                node.Settings.NodeName, version, Topic, weights.Length, chunks, seconds, weights.Length / seconds / (1 << 20));
        }
        finally
        {
            sending.Release();
        }
    }

    // Chunks leave in order, several in flight: a chunk is serialized into a buffer of its own and published while the
    // broker still confirms the ones before it, so the link never idles waiting for a confirm. At most
    // ChunksInFlight(chunkBytes) chunks (and their buffers) are outstanding; PublishAsync completes once every chunk was
    // confirmed. The channel keeps the order of the publishes (one sequence of calls, one frame writer), so subscribers
    // still see a version's chunks in order.
    // Each chunk carries the CRC-32C of its data, computed just before it is published.
    private async Task<int> SendAsync(string toExchange, string routingKey, Latest version, CancellationToken ct)
    {
        ReadOnlyMemory<byte> bytes = version.Bytes;
        int count = Math.Max(1, (int)((bytes.Length + (long)chunkBytes - 1) / chunkBytes));
        int window = ChunksInFlight(chunkBytes);
        var inFlight = new Queue<(Task Confirmed, byte[] Buffer)>(Math.Min(window, count));
        try
        {
            for (int index = 0; index < count; index++)
            {
                if (inFlight.Count == window)
                {
                    (Task confirmed, byte[] done) = inFlight.Peek();
                    await confirmed.ConfigureAwait(false);
                    inFlight.Dequeue();
                    ArrayPool<byte>.Shared.Return(done);
                }
                int offset = index * chunkBytes;
                ReadOnlyMemory<byte> data = bytes.Slice(offset, Math.Min(chunkBytes, bytes.Length - offset));
                var chunk = new WeightsChunk
                {
                    Topic = Topic,
                    Version = version.Version,
                    Index = index,
                    Count = count,
                    TotalBytes = bytes.Length,
                    Offset = offset,
                    Crc32C = Crc32C.Compute(data.Span),
                    // Wrapped, not copied: the bytes are copied once, into the message buffer.
                    Data = UnsafeByteOperations.UnsafeWrap(data),
                };
                int size = chunk.CalculateSize();
                byte[] buffer = ArrayPool<byte>.Shared.Rent(size);
                chunk.WriteTo(buffer.AsSpan(0, size));
                // Each publish gets its own properties: the client writes the confirm's sequence number into their headers.
                Task published;
                try
                {
                    published = publishing.BasicPublishAsync(toExchange, routingKey, mandatory: false, new BasicProperties { Type = WeightsTopic.ChunkType },
                        buffer.AsMemory(0, size), ct).AsTask();
                }
                catch
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    throw;
                }
                inFlight.Enqueue((published, buffer));
            }
            while (inFlight.Count > 0)
            {
                (Task confirmed, byte[] done) = inFlight.Peek();
                await confirmed.ConfigureAwait(false);
                inFlight.Dequeue();
                ArrayPool<byte>.Shared.Return(done);
            }
        }
        finally
        {
            // After a failure: the publishes still outstanding end too (their confirms fail with the channel, or are
            // cancelled with ct); only then may their buffers go back to the pool.
            while (inFlight.TryDequeue(out (Task Confirmed, byte[] Buffer) left))
            {
                try
                {
                    await left.Confirmed.ConfigureAwait(false);
                }
                catch (Exception e) when (e is OperationCanceledException or OperationInterruptedException or AlreadyClosedException or PublishException or IOException or ObjectDisposedException)
                {
                    // The first failure is what the caller sees.
                }
                ArrayPool<byte>.Shared.Return(left.Buffer);
            }
        }
        return count;
    }

    // Chunks outstanding at a time: up to InFlightBytes of them, at least 2 (so one is on the wire while the broker
    // confirms the other) and at most MaxChunksInFlight (well under the client's default limit of outstanding confirms,
    // which delays publishes beyond half of its 128).
    internal static int ChunksInFlight(int chunkBytes) => Math.Clamp(InFlightBytes / Math.Max(1, chunkBytes), 2, MaxChunksInFlight);

    private const int InFlightBytes = 32 << 20;
    private const int MaxChunksInFlight = 16;

    private async Task OnWantedAsync(string? type, ReadOnlyMemory<byte> body)
    {
        WeightsWanted wanted;
        try
        {
            if (type != WeightsTopic.WantedType) throw new WireFormatException($"a message of unknown kind '{type}' ({body.Length} bytes)");
            if (body.Length > WeightsTopic.HeaderBytes) throw new WireFormatException($"a {body.Length}-byte request, above the {WeightsTopic.HeaderBytes} bytes a request can take");
            wanted = WeightsWanted.Parser.ParseFrom(body.Span);
            if (wanted.Topic != Topic) throw new WireFormatException($"a request for topic '{wanted.Topic}'");
            // The queue comes from the wire: only a subscriber queue of this topic may receive a whole version.
            if (!wanted.Queue.StartsWith(subscriberQueuePrefix, StringComparison.Ordinal) || wanted.Queue.Length > WeightsTopic.MaxNameLength)
            {
                throw new WireFormatException($"a request from node '{wanted.Node}' for queue '{wanted.Queue}', which is not a subscriber queue of the topic");
            }
        }
        catch (Exception e) when (e is WireFormatException or InvalidProtocolBufferException)
        {
            node.Log.LogWarning("node {Node} dropped a request for weights topic {Topic}: {Error}", node.Settings.NodeName, Topic, e.Message);
            return;
        }

        try
        {
            await sending.WaitAsync(stopping.Token).ConfigureAwait(false);
            try
            {
                if (latest is not { } current)
                {
                    // The subscriber is bound to the exchange already: the first version reaches it as it does every other node.
                    node.Log.LogDebug("node {Node}: node {Subscriber} asked for weights topic {Topic}, which has no version yet", node.Settings.NodeName, wanted.Node, Topic);
                }
                else if (!wanted.HasVersion)
                {
                    // An offer first, not the version: a subscriber that started just before this version was published
                    // has it through the exchange, and a whole second copy would be for nothing. Sent after the version's
                    // last chunk was confirmed, the offer reaches the subscriber's queue behind those chunks.
                    var offer = new WeightsOffer { Topic = Topic, Version = current.Version };
                    await publishing.BasicPublishAsync("", wanted.Queue, mandatory: false, new BasicProperties { Type = WeightsTopic.OfferType }, offer.ToByteArray(), stopping.Token)
                        .ConfigureAwait(false);
                }
                else if (wanted.Version == current.Version)
                {
                    await SendAsync("", wanted.Queue, current, stopping.Token).ConfigureAwait(false);
                    node.Log.LogInformation("node {Node} sent weights version {Version} of topic {Topic} to node {Subscriber}, which started after it was published",
                        node.Settings.NodeName, current.Version, Topic, wanted.Node);
                }
                else
                {
                    // A newer version started after the offer, so after the subscriber was bound: it gets that one whole.
                    node.Log.LogDebug("node {Node}: node {Subscriber} asked for weights version {Wanted} of topic {Topic}, now {Current}",
                        node.Settings.NodeName, wanted.Node, wanted.Version, Topic, current.Version);
                }
            }
            finally
            {
                sending.Release();
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is OperationInterruptedException or AlreadyClosedException or PublishException or IOException or ObjectDisposedException)
        {
            node.Log.LogWarning("node {Node} could not answer node {Subscriber} on weights topic {Topic}: {Error}", node.Settings.NodeName, wanted.Node, Topic, e.Message);
        }
    }

    /// <summary>Stops answering subscribers and closes the publisher's channels; subscribers keep what they have.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0) return;
        await stopping.CancelAsync().ConfigureAwait(false);
        await WeightsTopic.CloseAsync(listening, node.Log).ConfigureAwait(false);
        await WeightsTopic.CloseAsync(publishing, node.Log).ConfigureAwait(false);
        // stopping is not disposed: a request handler that is still finishing may read its token.
    }

    private sealed record Latest(long Version, ReadOnlyMemory<byte> Bytes);
}

/// <summary>
/// A node's side of a weights topic: receives every policy version the topic's <see cref="WeightsPublisher"/>
/// publishes from the moment it starts (the current one first, if there is one), and hands each over only once it is
/// complete, every chunk having matched its CRC-32C on arrival: never a partial or corrupt version, each version once,
/// and only versions newer than the last one handed over.
/// </summary>
/// <remarks>
/// <para>A version is assembled into one buffer of its announced size. A chunk of a newer version discards an
/// incomplete older one (the learner has moved on); a chunk that does not parse, does not match its CRC-32C or does not
/// fit its version (an index out of range, another count or size than the version's other chunks) is logged and
/// dropped, and its version never completes; a complete version whose chunks do not tile it exactly is logged and
/// dropped. The subscriber keeps running through all of these.</para>
/// <para>The callback runs on the broker consumer's thread, one version at a time: a slow callback delays the next
/// version (chunks wait in the subscriber's queue), so hand the bytes off rather than apply them there if applying
/// takes long.</para>
/// </remarks>
public sealed class WeightsSubscriber : IAsyncDisposable
{
    private readonly ClusterNode node;
    private readonly IChannel channel;
    private readonly Action<ReceivedWeights> onVersion;
    private readonly string queue;
    // The broker consumer delivers one message at a time; the lock keeps that true should dispatch ever be concurrent.
    private readonly Lock receiving = new();
    private Assembly? assembling;
    private long delivered = -1;
    private long staleWarned = -1;
    private int disposed;

    private WeightsSubscriber(ClusterNode node, string topic, string queue, IChannel channel, Action<ReceivedWeights> onVersion)
    {
        this.node = node;
        Topic = topic;
        this.queue = queue;
        this.channel = channel;
        this.onVersion = onVersion;
    }

    /// <summary>The topic this subscriber receives.</summary>
    public string Topic { get; }

    /// <summary>The last version handed to the callback (set once the callback returned); <c>null</c> before the first.</summary>
    public long? LatestVersion => Volatile.Read(ref delivered) is >= 0 and var version ? version : null;

    /// <summary>
    /// Binds a queue of this subscriber's own to the topic's exchange (declaring it, so creation order does not
    /// matter), then asks the publisher for the current version so that a node starting late catches up.
    /// </summary>
    /// <param name="node">The node the subscriber runs on.</param>
    /// <param name="topic">The topic's name (letters, digits, '-', '_', '.').</param>
    /// <param name="onVersion">Receives each complete, verified version, newer than the last; see the remarks on its thread.
    /// An exception from it is logged; the version counts as delivered.</param>
    /// <param name="ct">Cancels the declarations.</param>
    /// <exception cref="ArgumentException">The topic is not a valid name.</exception>
    public static async Task<WeightsSubscriber> CreateAsync(ClusterNode node, string topic, Action<ReceivedWeights> onVersion, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(onVersion);
        WeightsTopic.Validate(topic);
        string cluster = node.Settings.ClusterName;
        IChannel channel = await node.OpenChannelAsync(ct).ConfigureAwait(false);
        try
        {
            await WeightsTopic.DeclareAsync(channel, cluster, topic, ct).ConfigureAwait(false);
            string queue = WeightsTopic.UniqueName(WeightsTopic.SubscriberQueuePrefix(cluster, topic).TrimEnd('.'));
            await channel.QueueDeclareAsync(queue, durable: false, exclusive: true, autoDelete: true, cancellationToken: ct).ConfigureAwait(false);
            await channel.QueueBindAsync(queue, WeightsTopic.Exchange(cluster, topic), routingKey: "", cancellationToken: ct).ConfigureAwait(false);

            var subscriber = new WeightsSubscriber(node, topic, queue, channel, onVersion);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += (_, delivery) => subscriber.ReceiveAsync(delivery.BasicProperties.Type, delivery.Body);
            await channel.BasicConsumeAsync(queue, autoAck: true, consumer, ct).ConfigureAwait(false);

            // Only once bound: from here on no version can fall between the request and the exchange.
            var wanted = new WeightsWanted { Topic = topic, Node = node.Settings.NodeName, Queue = queue };
            await channel.BasicPublishAsync(WeightsTopic.WantedExchange(cluster, topic), "", mandatory: false,
                new BasicProperties { Type = WeightsTopic.WantedType }, wanted.ToByteArray(), ct).ConfigureAwait(false);
            node.Log.LogInformation("node {Node} subscribed to weights topic {Topic}", node.Settings.NodeName, topic);
            return subscriber;
        }
        catch
        {
            await WeightsTopic.CloseAsync(channel, node.Log).ConfigureAwait(false);
            throw;
        }
    }

    private async Task ReceiveAsync(string? type, ReadOnlyMemory<byte> body)
    {
        long? wanted = null;
        try
        {
            if (body.Length > node.Settings.MaxMessageBytes)
            {
                throw new WireFormatException($"a {body.Length}-byte message is above the limit of {node.Settings.MaxMessageBytes} bytes (cluster.max_message_bytes)");
            }
            switch (type)
            {
                case WeightsTopic.ChunkType:
                    // The chunk's data stays in the delivery's buffer: Accept copies it into the version, before this returns.
                    WeightsChunk chunk = WeightsTopic.ParseChunk(body);
                    lock (receiving)
                    {
                        Accept(chunk);
                    }
                    break;
                case WeightsTopic.OfferType:
                    WeightsOffer offer = WeightsOffer.Parser.ParseFrom(body.Span);
                    lock (receiving)
                    {
                        wanted = Wants(offer);
                    }
                    break;
                default:
                    throw new WireFormatException($"a message of unknown kind '{type}' ({body.Length} bytes)");
            }
        }
        catch (Exception e) when (e is WireFormatException or InvalidProtocolBufferException)
        {
            node.Log.LogWarning("node {Node} dropped a message of weights topic {Topic}: {Error}", node.Settings.NodeName, Topic, e.Message);
        }
        if (wanted is not { } version) return;
        try
        {
            var request = new WeightsWanted { Topic = Topic, Node = node.Settings.NodeName, Queue = queue, Version = version };
            await channel.BasicPublishAsync(WeightsTopic.WantedExchange(node.Settings.ClusterName, Topic), "", mandatory: false,
                new BasicProperties { Type = WeightsTopic.WantedType }, request.ToByteArray()).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationInterruptedException or AlreadyClosedException or IOException or ObjectDisposedException)
        {
            node.Log.LogWarning("node {Node} could not ask for weights version {Version} of topic {Topic}: {Error}", node.Settings.NodeName, version, Topic, e.Message);
        }
    }

    // Whether to ask for the offered version: not when it is here already, nor when it is coming whole through the
    // exchange (its first chunk is here, and one publisher's chunks arrive in order), nor when a newer one is.
    private long? Wants(WeightsOffer offer)
    {
        if (offer.Topic != Topic) throw new WireFormatException($"an offer of version {offer.Version} of topic '{offer.Topic}'");
        if (offer.Version < 0) throw new WireFormatException($"an offer of the negative version {offer.Version}");
        if (offer.Version <= delivered) return null;
        if (assembling is { } current && (current.Version > offer.Version || (current.Version == offer.Version && current.Has[0]))) return null;
        return offer.Version;
    }

    private void Accept(WeightsChunk chunk)
    {
        Check(chunk);
        long version = chunk.Version;
        long last = delivered;
        if (version <= last)
        {
            if (version == last)
            {
                // A copy sent to a subscriber that started while the version was being published: expected.
                node.Log.LogDebug("node {Node} dropped a chunk of weights version {Version} of topic {Topic}, which it has", node.Settings.NodeName, version, Topic);
            }
            else if (staleWarned != version)
            {
                staleWarned = version;
                node.Log.LogWarning("node {Node} dropped chunks of weights version {Version} of topic {Topic}: version {Last} was delivered already (a second publisher, or one restarted at an older version?)",
                    node.Settings.NodeName, version, Topic, last);
            }
            return;
        }

        if (assembling is { } current && current.Version != version)
        {
            if (version < current.Version)
            {
                node.Log.LogWarning("node {Node} dropped a chunk of weights version {Version} of topic {Topic} while assembling the newer version {Current}",
                    node.Settings.NodeName, version, Topic, current.Version);
                return;
            }
            node.Log.LogInformation("node {Node} discarded incomplete weights version {Current} of topic {Topic} ({Received} of {Count} chunks) for version {Version}",
                node.Settings.NodeName, current.Version, Topic, current.Received, current.Count, version);
            assembling = null;
            current.Dispose();
        }
        Assembly assembly = assembling ??= new Assembly(chunk);
        if (chunk.Count != assembly.Count || chunk.TotalBytes != assembly.Bytes.Length)
        {
            throw new WireFormatException($"chunk {chunk.Index} of version {version} announces {chunk.Count} chunks and {chunk.TotalBytes} bytes; " +
                $"the version's first chunk announced {assembly.Count} chunks and {assembly.Bytes.Length} bytes");
        }
        if (assembly.Has[chunk.Index])
        {
            node.Log.LogDebug("node {Node} dropped a second copy of chunk {Index} of weights version {Version} of topic {Topic}", node.Settings.NodeName, chunk.Index, version, Topic);
            return;
        }
        chunk.Data.Span.CopyTo(assembly.Bytes.AsSpan((int)chunk.Offset));
        assembly.Has[chunk.Index] = true;
        assembly.Received++;
        assembly.ReceivedBytes += chunk.Data.Length;
        assembly.Ranges.Add((chunk.Offset, chunk.Data.Length));
        if (assembly.Received < assembly.Count) return;

        assembling = null;
        using (assembly)
        {
            Complete(assembly);
        }
    }

    // What a chunk must satisfy on its own before anything is allocated or written for it.
    private void Check(WeightsChunk chunk)
    {
        string what = $"chunk {chunk.Index} of {chunk.Count} of version {chunk.Version}";
        if (chunk.Topic != Topic) throw new WireFormatException($"{what} is of topic '{chunk.Topic}'");
        if (chunk.Version < 0) throw new WireFormatException($"{what} has a negative version");
        if (chunk.TotalBytes < 0 || chunk.TotalBytes > Array.MaxLength) throw new WireFormatException($"{what} announces {chunk.TotalBytes} bytes, outside 0..{Array.MaxLength}");
        // Chunks are never empty unless the version is: this bounds what a chunk can make the subscriber allocate.
        if (chunk.Count < 1 || chunk.Count > Math.Max(1, chunk.TotalBytes)) throw new WireFormatException($"{what} announces a count outside 1..{Math.Max(1, chunk.TotalBytes)} for {chunk.TotalBytes} bytes");
        if (chunk.Index < 0 || chunk.Index >= chunk.Count) throw new WireFormatException($"{what} has an index out of range");

        if (chunk.Offset < 0 || chunk.Offset + chunk.Data.Length > chunk.TotalBytes)
        {
            throw new WireFormatException($"{what} holds bytes {chunk.Offset}..{chunk.Offset + chunk.Data.Length}, outside the version's {chunk.TotalBytes} bytes");
        }
        uint crc = Crc32C.Compute(chunk.Data.Span);
        if (crc != chunk.Crc32C) throw new WireFormatException($"{what}: the CRC-32C of its {chunk.Data.Length} bytes is {crc:x8}, not the {chunk.Crc32C:x8} it carries");
    }

    private void Complete(Assembly assembly)
    {
        if (assembly.ReceivedBytes != assembly.Bytes.Length)
        {
            node.Log.LogWarning("node {Node} dropped weights version {Version} of topic {Topic}: its chunks hold {Received} bytes, not the {Total} announced",
                node.Settings.NodeName, assembly.Version, Topic, assembly.ReceivedBytes, assembly.Bytes.Length);
            return;
        }
        // Each chunk was verified on arrival; together they must tile the version, with no overlap (their sizes add up
        // to the total, so an overlap leaves a gap).
        long covered = 0;
        foreach ((long offset, int length) in assembly.Ranges.OrderBy(r => r.Offset))
        {
            if (offset != covered)
            {
                node.Log.LogWarning("node {Node} dropped weights version {Version} of topic {Topic}: its chunks overlap and leave bytes {Gap}.. of its {Total} bytes out",
                    node.Settings.NodeName, assembly.Version, Topic, covered, assembly.Bytes.Length);
                return;
            }
            covered += length;
        }
        try
        {
            onVersion(new ReceivedWeights(assembly.Version, assembly.Bytes));
        }
        catch (Exception e) // the caller's code: whatever it throws must not stop the subscriber
        {
            node.Log.LogError(e, "node {Node}: the callback for weights version {Version} of topic {Topic} failed", node.Settings.NodeName, assembly.Version, Topic);
        }
        finally
        {
            Volatile.Write(ref delivered, assembly.Version);
        }
    }

    /// <summary>Stops receiving: closes the subscriber's channel, which removes its queue. An incomplete version is dropped.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0) return;
        await WeightsTopic.CloseAsync(channel, node.Log).ConfigureAwait(false);
        lock (receiving)
        {
            assembling?.Dispose();
            assembling = null;
        }
    }

    // A version being assembled: chunks are copied in place as they arrive, each verified on its own.
    private sealed class Assembly(WeightsChunk first) : IDisposable
    {
        public long Version { get; } = first.Version;

        public int Count { get; } = first.Count;

        // Sized once from the announced total: chunks are copied in place, never concatenated.
        public byte[] Bytes { get; } = new byte[first.TotalBytes];

        public bool[] Has { get; } = new bool[first.Count];

        public int Received { get; set; }

        public long ReceivedBytes { get; set; }

        // Where each chunk's data went, to check at the end that the chunks tile the version.
        public List<(long Offset, int Length)> Ranges { get; } = [];

        public void Dispose()
        {
        }
    }
}

/// <summary>Names and limits of weights topics, shared by publishers and subscribers.</summary>
internal static partial class WeightsTopic
{
    /// <summary>Room for a chunk's fields other than its data (topic of up to 100 characters, version, hash, sizes),
    /// with a wide margin: a chunk's data may take the node's message limit less this.</summary>
    public const int HeaderBytes = 1024;

    internal const string ChunkType = "weights-chunk";
    internal const string WantedType = "weights-wanted";
    internal const string OfferType = "weights-offer";
    internal const int MaxNameLength = 255;

    /// <summary>The fanout exchange a topic's chunks go to: <c>actorrl.&lt;cluster&gt;.weights.&lt;topic&gt;</c>.</summary>
    public static string Exchange(string cluster, string topic) => $"actorrl.{cluster}.weights.{topic}";

    /// <summary>The fanout exchange subscribers ask for the current version through.</summary>
    public static string WantedExchange(string cluster, string topic) => Exchange(cluster, topic) + ".wanted";

    internal static string SubscriberQueuePrefix(string cluster, string topic) => Exchange(cluster, topic) + ".sub.";

    // Names stay under the broker's 255 bytes: the cluster name and the topic take 100 characters at most each.
    internal static string UniqueName(string prefix) => $"{prefix}.{Guid.NewGuid():N}"[..Math.Min(MaxNameLength, prefix.Length + 13)];

    /// <summary>
    /// Parses a chunk without copying its data: the returned chunk's <see cref="WeightsChunk.Data"/> wraps
    /// <paramref name="body"/>, so it is valid only as long as the body is. The fields before and after the data are
    /// parsed as usual. Anything else (no data field, two of them, a body that does not scan) is parsed as a whole, with
    /// protobuf's own errors.
    /// </summary>
    /// <exception cref="InvalidProtocolBufferException">The body is not a chunk.</exception>
    internal static WeightsChunk ParseChunk(ReadOnlyMemory<byte> body)
    {
        if (DataField(body.Span) is not (int tagStart, int dataStart, int dataLength)) return WeightsChunk.Parser.ParseFrom(body.Span);
        WeightsChunk chunk = WeightsChunk.Parser.ParseFrom(body.Span[..tagStart]);
        chunk.MergeFrom(body.Span[(dataStart + dataLength)..]);
        chunk.Data = UnsafeByteOperations.UnsafeWrap(body.Slice(dataStart, dataLength));
        return chunk;
    }

    // Where the body's only data field (8, length-delimited) is: the field's start, and its bytes.
    private static (int TagStart, int DataStart, int DataLength)? DataField(ReadOnlySpan<byte> body)
    {
        const int DataTag = (8 << 3) | 2;
        int position = 0;
        (int, int, int)? found = null;
        while (position < body.Length)
        {
            int tagStart = position;
            if (!TryReadVarint(body, ref position, out ulong tag)) return null;
            ulong length;
            switch (tag & 7)
            {
                case 0:
                    if (!TryReadVarint(body, ref position, out _)) return null;
                    length = 0;
                    break;
                case 1:
                    length = 8;
                    break;
                case 2:
                    if (!TryReadVarint(body, ref position, out length)) return null;
                    break;
                case 5:
                    length = 4;
                    break;
                default:
                    return null;
            }
            if (length > (ulong)(body.Length - position)) return null;
            if (tag == DataTag)
            {
                if (found is not null) return null; // a second data field: protobuf keeps the last one
                found = (tagStart, position, (int)length);
            }
            position += (int)length;
        }
        return found;
    }

    private static bool TryReadVarint(ReadOnlySpan<byte> body, ref int position, out ulong value)
    {
        value = 0;
        for (int shift = 0; shift < 64 && position < body.Length; shift += 7)
        {
            byte b = body[position++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80) return true;
        }
        return false;
    }

    internal static void Validate(string topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        if (!Name().IsMatch(topic)) throw new ArgumentException($"a weights topic must be 1-100 letters, digits, '-', '_' or '.', not '{topic}'", nameof(topic));
    }

    internal static async Task DeclareAsync(IChannel channel, string cluster, string topic, CancellationToken ct)
    {
        await channel.ExchangeDeclareAsync(Exchange(cluster, topic), ExchangeType.Fanout, durable: false, autoDelete: false, cancellationToken: ct).ConfigureAwait(false);
        await channel.ExchangeDeclareAsync(WantedExchange(cluster, topic), ExchangeType.Fanout, durable: false, autoDelete: false, cancellationToken: ct).ConfigureAwait(false);
    }

    internal static async Task CloseAsync(IChannel channel, ILogger log)
    {
        try
        {
            await channel.CloseAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationInterruptedException or AlreadyClosedException or IOException or ObjectDisposedException)
        {
            log.LogDebug("a weights channel was already closed: {Error}", e.Message);
        }
        channel.Dispose();
    }

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,100}$")]
    private static partial Regex Name();
}

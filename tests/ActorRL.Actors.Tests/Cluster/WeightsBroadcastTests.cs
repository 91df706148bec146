using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using ActorRL.Actors.Cluster;
using ActorRL.Actors.Cluster.Wire;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using Xunit.Abstractions;

namespace ActorRL.Actors.Tests.Cluster;

/// <summary>Weight publication between nodes on a real RabbitMQ: chunked, verified, late joiners catch up.</summary>
[Collection(RabbitMqCollection.Name)]
public sealed class WeightsBroadcastTests(RabbitMqServer broker, ITestOutputHelper output) : IAsyncLifetime
{
    private const string Topic = "policy";
    private readonly string cluster = $"wb-{Guid.NewGuid():N}"[..13];
    private readonly List<ActorSystem> systems = [];
    private readonly List<IAsyncDisposable> disposables = [];
    private readonly ConcurrentDictionary<string, InMemoryLoggerProvider> logs = new();

    private async Task<ClusterNode> JoinAsync(string node, int maxMessageBytes = 2 << 20)
    {
        var provider = logs.GetOrAdd(node, _ => new InMemoryLoggerProvider());
        var system = ActorSystem.Create(node, loggerFactory: LoggerFactory.Create(b => b.AddProvider(provider).SetMinimumLevel(LogLevel.Debug)));
        systems.Add(system);
        return await ClusterNode.JoinAsync(system, new ClusterSettings
        {
            ClusterName = cluster,
            NodeName = node,
            Broker = new BrokerSettings("127.0.0.1", broker.Port, broker.VirtualHost, broker.UserName, broker.Password),
            HeartbeatInterval = TimeSpan.FromMilliseconds(200),
            FailureTimeout = TimeSpan.FromSeconds(1.5),
            MaxMessageBytes = maxMessageBytes,
        }, new WireRegistry());
    }

    private async Task<WeightsPublisher> PublisherAsync(ClusterNode node, int chunkBytes = 1 << 20)
    {
        WeightsPublisher publisher = await WeightsPublisher.CreateAsync(node, Topic, chunkBytes);
        disposables.Add(publisher);
        return publisher;
    }

    private async Task<(WeightsSubscriber Subscriber, ConcurrentQueue<ReceivedWeights> Received)> SubscriberAsync(ClusterNode node)
    {
        var received = new ConcurrentQueue<ReceivedWeights>();
        WeightsSubscriber subscriber = await WeightsSubscriber.CreateAsync(node, Topic, received.Enqueue);
        disposables.Add(subscriber);
        return (subscriber, received);
    }

    private static byte[] Weights(int bytes, int seed)
    {
        var data = new byte[bytes];
        new Random(seed).NextBytes(data);
        return data;
    }

    private List<LogEntry> Warnings(string node) => logs[node].Entries.Where(e => e.Level == LogLevel.Warning).ToList();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (IAsyncDisposable d in Enumerable.Reverse(disposables)) await d.DisposeAsync();
        foreach (ActorSystem system in systems)
        {
            try
            {
                await ClusterNode.Of(system).DisposeAsync();
            }
            catch (InvalidOperationException)
            {
                // this system never joined
            }
            await system.Terminate();
        }
    }

    [Fact]
    public async Task ATenMegabyteVersionInOneMegabyteChunksReachesTwoSubscribersOnOtherNodesByteIdentical()
    {
        ClusterNode learner = await JoinAsync("learner");
        var (first, receivedFirst) = await SubscriberAsync(await JoinAsync("rollout-1"));
        var (second, receivedSecond) = await SubscriberAsync(await JoinAsync("rollout-2"));
        WeightsPublisher publisher = await PublisherAsync(learner);
        byte[] weights = Weights(10 << 20, seed: 1);

        var clock = Stopwatch.StartNew();
        await publisher.PublishAsync(1, weights);
        TimeSpan published = clock.Elapsed;
        await Eventually.True(() => first.LatestVersion == 1 && second.LatestVersion == 1, "both subscribers have version 1");
        output.WriteLine($"10 MiB in 1 MiB chunks: published (all confirmed) in {published.TotalMilliseconds:0} ms = {10 / published.TotalSeconds:0} MiB/s; " +
            $"both subscribers had it after {clock.Elapsed.TotalMilliseconds:0} ms");

        string expected = Convert.ToHexString(SHA256.HashData(weights));
        foreach (ConcurrentQueue<ReceivedWeights> received in new[] { receivedFirst, receivedSecond })
        {
            ReceivedWeights only = Assert.Single(received);
            Assert.Equal(1, only.Version);
            Assert.Equal(expected, Convert.ToHexString(SHA256.HashData(only.Bytes)));
        }
        Assert.Equal(1, publisher.LatestVersion);
        Assert.Contains(logs["learner"].Entries, e => e.Message.Contains($"published weights version 1 of topic {Topic}: {10 << 20} bytes in 10 chunk(s)", StringComparison.Ordinal));
        Assert.Empty(Warnings("rollout-1"));
        Assert.Empty(Warnings("rollout-2"));
    }

    [Fact]
    public async Task VersionsPublishedInARowArriveInOrderEachOnceAndVersionsMustIncrease()
    {
        ClusterNode learner = await JoinAsync("learner");
        WeightsPublisher publisher = await PublisherAsync(learner, chunkBytes: 100_000);
        var (subscriber, received) = await SubscriberAsync(await JoinAsync("rollout"));

        for (int version = 1; version <= 3; version++) await publisher.PublishAsync(version, Weights(250_000 + version, seed: version));
        await Eventually.True(() => subscriber.LatestVersion == 3, "the subscriber has version 3");

        Assert.Equal([1L, 2L, 3L], received.Select(r => r.Version));
        for (int version = 1; version <= 3; version++) Assert.Equal(Weights(250_000 + version, seed: version), received.ElementAt(version - 1).Bytes);
        var stale = await Assert.ThrowsAsync<ArgumentException>(() => publisher.PublishAsync(3, new byte[] { 1 }));
        Assert.Contains("weights version 3 of topic policy must be above the last published version 3", stale.Message, StringComparison.Ordinal);
        Assert.Empty(Warnings("rollout"));
    }

    [Fact]
    public async Task ASubscriberThatStartsAfterAVersionWasPublishedReceivesItWithoutANewPublication()
    {
        ClusterNode learner = await JoinAsync("learner");
        WeightsPublisher publisher = await PublisherAsync(learner, chunkBytes: 300_000);
        var (early, earlyReceived) = await SubscriberAsync(await JoinAsync("early"));
        await publisher.PublishAsync(1, Weights(1_000_000, seed: 1));
        await publisher.PublishAsync(2, Weights(1_000_000, seed: 2));
        await Eventually.True(() => early.LatestVersion == 2, "the early subscriber has version 2");

        var (late, lateReceived) = await SubscriberAsync(await JoinAsync("late"));
        await Eventually.True(() => late.LatestVersion == 2, "the late subscriber has version 2");

        ReceivedWeights caughtUp = Assert.Single(lateReceived);
        Assert.Equal(2, caughtUp.Version);
        Assert.Equal(Weights(1_000_000, seed: 2), caughtUp.Bytes);
        Assert.Equal(2, publisher.LatestVersion);
        Assert.Contains(logs["learner"].Entries, e => e.Message.Contains("sent weights version 2 of topic policy to node late", StringComparison.Ordinal));
        // The copy went to the late subscriber's queue only: the early one saw each version once.
        Assert.Equal([1L, 2L], earlyReceived.Select(r => r.Version));
        Assert.DoesNotContain(logs["early"].Entries, e => e.Message.Contains("dropped", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CorruptAndMalformedChunksAreLoggedAndNeverDeliveredAndTheNextGoodVersionArrives()
    {
        ClusterNode learner = await JoinAsync("learner");
        WeightsPublisher publisher = await PublisherAsync(learner, chunkBytes: 1000);
        var (subscriber, received) = await SubscriberAsync(await JoinAsync("rollout"));
        byte[] good = Weights(1500, seed: 9);
        // Each chunk carries the CRC-32C of its data (or of other data, given as checksummed).
        WeightsChunk Chunk(long version, int index, int count, byte[] data, int offset = 0, long? total = null, byte[]? checksummed = null) => new()
        {
            Topic = Topic,
            Version = version,
            Index = index,
            Count = count,
            TotalBytes = total ?? good.Length,
            Offset = offset,
            Crc32C = Crc32C.Compute(checksummed ?? data),
            Data = ByteString.CopyFrom(data),
        };

        byte[] tampered = good[1000..];
        tampered[0] ^= 0xff;
        await using (IConnection connection = await broker.CreateConnectionFactory().CreateConnectionAsync())
        await using (IChannel channel = await connection.CreateChannelAsync())
        {
            string exchange = WeightsTopic.Exchange(cluster, Topic);
            async Task PublishAsync(string type, byte[] body) =>
                await channel.BasicPublishAsync(exchange, "", mandatory: false, new BasicProperties { Type = type }, body);

            // Version 9: the right size and checksum announced, but one byte of the second chunk differs.
            await PublishAsync("weights-chunk", Chunk(9, 0, 2, good[..1000]).ToByteArray());
            await PublishAsync("weights-chunk", Chunk(9, 1, 2, tampered, offset: 1000, checksummed: good[1000..]).ToByteArray());
            await PublishAsync("weights-chunk", [0xff, 0xff, 0xff, 0x01, 0x02]);
            await PublishAsync("something-else", [1, 2, 3]);
            await PublishAsync("weights-chunk", Chunk(10, 5, 2, good[..1000]).ToByteArray());
            await PublishAsync("weights-chunk", Chunk(10, 0, 2, good[..1000], offset: 1000).ToByteArray());
            // Version 11 starts, then a chunk announces another size than its first chunk: dropped; the version stays incomplete.
            await PublishAsync("weights-chunk", Chunk(11, 0, 2, good[..1000]).ToByteArray());
            await PublishAsync("weights-chunk", Chunk(11, 1, 2, good[1000..], offset: 1000, total: 1501).ToByteArray());
        }
        await Eventually.True(() => Warnings("rollout").Count >= 6, "six warnings on the subscriber");

        await publisher.PublishAsync(12, good);
        await Eventually.True(() => subscriber.LatestVersion == 12, "the subscriber has version 12");
        ReceivedWeights only = Assert.Single(received);
        Assert.Equal(12, only.Version);
        Assert.Equal(good, only.Bytes);

        List<string> warnings = Warnings("rollout").Select(e => e.Message).ToList();
        output.WriteLine(string.Join('\n', warnings));
        Assert.Equal(6, warnings.Count);
        Assert.Contains(warnings, w => w.Contains($"chunk 1 of 2 of version 9: the CRC-32C of its 500 bytes is {Crc32C.Compute(tampered):x8}, not the {Crc32C.Compute(good[1000..]):x8} it carries",
            StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("dropped a message of weights topic policy", StringComparison.Ordinal) && w.Contains("invalid", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(warnings, w => w.Contains("unknown kind 'something-else'", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("chunk 5 of 2 of version 10 has an index out of range", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("chunk 0 of 2 of version 10 holds bytes 1000..2000, outside the version's 1500 bytes", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("chunk 1 of version 11 announces 2 chunks and 1501 bytes", StringComparison.Ordinal));
        Assert.Contains(logs["rollout"].Entries, e => e.Message.Contains("discarded incomplete weights version 11 of topic policy (1 of 2 chunks) for version 12", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AChunkSizeAboveTheNodesMessageLimitIsRefusedNamingTheValues()
    {
        ClusterNode learner = await JoinAsync("learner", maxMessageBytes: 64 << 10);
        var error = await Assert.ThrowsAsync<ArgumentException>(() => WeightsPublisher.CreateAsync(learner, Topic));
        Assert.Contains($"chunkBytes ({4 << 20}) for weights topic 'policy' must be 1 to {(64 << 10) - 1024} bytes: node learner's message limit (cluster.max_message_bytes = {64 << 10})",
            error.Message, StringComparison.Ordinal);
        Assert.Equal("chunkBytes", error.ParamName);
        await Assert.ThrowsAsync<ArgumentException>(() => WeightsPublisher.CreateAsync(learner, Topic, chunkBytes: 0));
        await Assert.ThrowsAsync<ArgumentException>(() => WeightsSubscriber.CreateAsync(learner, "no spaces", _ => { }));

        // The largest allowed chunk fits through the node's own limit.
        WeightsPublisher publisher = await PublisherAsync(learner, chunkBytes: (64 << 10) - 1024);
        var (subscriber, received) = await SubscriberAsync(learner);
        byte[] weights = Weights(200_000, seed: 3);
        await publisher.PublishAsync(1, weights);
        await Eventually.True(() => subscriber.LatestVersion == 1, "the subscriber has version 1");
        Assert.Equal(weights, Assert.Single(received).Bytes);
        Assert.Empty(Warnings("learner"));
    }
}

public sealed class Crc32CTests
{
    [Fact]
    public void ItIsTheCastagnoliChecksumOnEveryPath()
    {
        // The check value of CRC-32C (the CRC catalogue's "123456789") and RFC 3720's 32 bytes of zeros.
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));
        Assert.Equal(0x8A9136AAu, Crc32C.Compute(new byte[32]));
        Assert.Equal(0u, Crc32C.Compute([]));

        // The processor's instruction, the table and an append in pieces agree on odd lengths and offsets.
        var random = new Random(7);
        byte[] data = new byte[10_007];
        random.NextBytes(data);
        uint whole = Crc32C.Compute(data);
        Assert.Equal(Crc32C.AppendSoftware(0, data), whole);
        Assert.Equal(whole, Crc32C.Append(Crc32C.Append(0, data.AsSpan(0, 3333)), data.AsSpan(3333)));
        data[5000] ^= 1;
        Assert.NotEqual(whole, Crc32C.Compute(data));
    }
}

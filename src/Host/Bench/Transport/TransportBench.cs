using System.Diagnostics;
using ActorRL.Actors;
using ActorRL.Actors.Cluster;
using ActorRL.Actors.Rlhf;
using ActorRL.Actors.Rlhf.Cluster;
using ActorRL.Host.Bench.Persistence;
using ActorRL.Host.Diagnostics;
using ActorRL.Models.Inference;
using ActorRL.Models.Rlhf;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace ActorRL.Host.Bench.Transport;

/// <summary>
/// <c>actorrl bench transport</c>'s measurements and their summary, on one throw-away broker: finished rollout chunks
/// through a <see cref="WorkQueue"/> to an actor on another node, and a policy version through
/// <see cref="WeightsPublisher"/> to a <see cref="WeightsSubscriber"/> on another node, each against raw RabbitMQ
/// publishing and consuming the same bytes the same way on two connections.
/// </summary>
public static class TransportBench
{
    /// <summary>Bytes in a megabyte, as the figures count them.</summary>
    public const double BytesPerMegabyte = 1e6;

    /// <summary>The name of a round that measured the cluster layer first.</summary>
    public const string ClusterFirst = "cluster";

    /// <summary>The name of a round that measured raw RabbitMQ first.</summary>
    public const string RawFirst = "raw";

    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Starts a throw-away broker under the system temp folder, sets up two cluster nodes and two raw connections on
    /// it, runs one untimed warm-up of each measurement and <see cref="TransportBenchSettings.Rounds"/> timed rounds,
    /// and removes the broker.
    /// </summary>
    public static async Task<TransportBenchReport> RunAsync(TransportBenchSettings settings, Action<string> status, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(status);
        GenerationResult result = SampleResult(settings);
        byte[] weights = SampleWeights(settings.WeightsBytes);

        status("starting a throw-away RabbitMQ broker");
        await using LocalRabbitMq broker = await LocalRabbitMq.StartAsync(Path.GetTempPath(), cancellationToken);
        status("joining two cluster nodes and opening two raw connections");
        await using var rig = await Rig.CreateAsync(broker, settings, cancellationToken);
        int messageBytes = rig.RawMessage.Length;

        // A whole untimed round first, twice over for the rollouts: the cluster layer runs far more managed code per
        // message (serialization, actors) than raw, and its figures must not include the JIT's tiering up.
        long version = 0;
        for (int warmup = 1; warmup <= 2; warmup++)
        {
            status($"warm-up {warmup}/2 (untimed)");
            await rig.ClusterRolloutsAsync(result, settings.Rollouts, cancellationToken);
            await rig.RawRolloutsAsync(settings.Rollouts, cancellationToken);
            await rig.ClusterWeightsAsync(++version, weights, cancellationToken);
            await rig.RawWeightsAsync(weights, cancellationToken);
        }

        var rounds = new List<TransportRound>();
        for (int round = 0; round < settings.Rounds; round++)
        {
            bool clusterFirst = round % 2 == 0;
            string prefix = $"round {round + 1}/{settings.Rounds}";
            double rollouts = 0, rawRollouts = 0, weightsSeconds = 0, rawWeights = 0;
            foreach (bool cluster in (bool[])[clusterFirst, !clusterFirst])
            {
                status($"{prefix}: rollouts, {(cluster ? "cluster" : "raw")}");
                if (cluster) rollouts = await rig.ClusterRolloutsAsync(result, settings.Rollouts, cancellationToken);
                else rawRollouts = await rig.RawRolloutsAsync(settings.Rollouts, cancellationToken);
            }
            foreach (bool cluster in (bool[])[clusterFirst, !clusterFirst])
            {
                status($"{prefix}: weights, {(cluster ? "cluster" : "raw")}");
                if (cluster) weightsSeconds = await rig.ClusterWeightsAsync(++version, weights, cancellationToken);
                else rawWeights = await rig.RawWeightsAsync(weights, cancellationToken);
            }
            rounds.Add(new TransportRound(round, clusterFirst ? ClusterFirst : RawFirst, rollouts, rawRollouts, weightsSeconds, rawWeights));
        }
        string brokerName = $"RabbitMQ {rig.BrokerVersion} on 127.0.0.1:{broker.Port} (throw-away, Debian's rabbitmq-server)";
        return Summarize(settings, rounds, messageBytes, brokerName, MachineInfo.Current());
    }

    /// <summary>
    /// The figures and ratios: messages/s divide <see cref="TransportBenchSettings.Rollouts"/> by the median round's
    /// seconds, MB/s divide the version's bytes by the median round's seconds, and each ratio divides the cluster
    /// layer's figure by raw's.
    /// </summary>
    public static TransportBenchReport Summarize(TransportBenchSettings settings, IReadOnlyList<TransportRound> rounds, int rolloutMessageBytes,
        string broker, MachineInfo machine)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(rounds);
        if (rounds.Count == 0) throw new ArgumentException("no rounds to summarize", nameof(rounds));
        double PerSecond(Func<TransportRound, double> seconds) => settings.Rollouts / Median([.. rounds.Select(seconds)]);
        double MegabytesPerSecond(Func<TransportRound, double> seconds) => settings.WeightsBytes / BytesPerMegabyte / Median([.. rounds.Select(seconds)]);

        var figures = new TransportFigures(
            rolloutMessageBytes,
            PerSecond(r => r.RolloutSeconds),
            PerSecond(r => r.RawRolloutSeconds),
            settings.WeightsBytes / BytesPerMegabyte,
            MegabytesPerSecond(r => r.WeightsSeconds),
            MegabytesPerSecond(r => r.RawWeightsSeconds));
        var ratios = new TransportRatios(figures.WeightsMbPerS / figures.RawWeightsMbPerS, figures.RolloutMessagesPerS / figures.RawRolloutMessagesPerS);
        string[] notes =
        [
            "MB = 10^6 bytes; every figure uses the median of the rounds, cluster layer and raw taken in turn on the same broker, alternating which goes first, after two untimed warm-up rounds",
            $"rollouts: each message is a GenerationResult of {settings.RolloutsPerChunk} rollouts ({settings.PromptTokens} prompt tokens, "
                + $"{settings.ResponseTokens} response tokens with log-probs and values), {rolloutMessageBytes} bytes on the wire; "
                + $"published persistent to a durable queue in batches of {settings.Batch} awaited together (publisher confirms), "
                + $"consumed on another connection with prefetch {TransportBenchSettings.Prefetch} and one ack per message; timed from the first publish to the last message consumed",
            "rollouts, cluster: WorkQueue.PublishAsync on one node serializes each message with the RLHF wire registry; the other node's WorkConsumer "
                + "deserializes it and tells an actor, which acks through its receipt",
            "rollouts, raw: the same serialized bytes and properties published with BasicPublishAsync, acked in the consumer callback",
            $"weights: {settings.WeightsMegabytes} MB in chunks of {settings.ChunkKib} KiB through a fanout exchange (not persistent, publisher confirms) "
                + "to another connection's exclusive queue (auto-ack); timed from the start of the publication until the whole version is on the other side",
            "weights, cluster: WeightsPublisher.PublishAsync sends protobuf chunks, each with the CRC-32C of its data; WeightsSubscriber verifies each chunk, assembles the version and calls back",
            "weights, raw: the same bytes in the same chunks, all published before their confirms are awaited, copied into one buffer on arrival; no hash",
            "broker, nodes and raw clients share this machine's cores",
        ];
        return new TransportBenchReport(settings, ratios, figures, rounds, broker, notes, machine);
    }

    /// <summary>The median of <paramref name="values"/> (the mean of the middle two for an even count).</summary>
    public static double Median(IReadOnlyList<double> values) => PersistenceBench.Median(values);

    /// <summary>
    /// A realistic finished generation chunk: <see cref="TransportBenchSettings.RolloutsPerChunk"/> rollouts, each with
    /// its prompt, response, and a log-probability and value per response token, as a rollout node sends it.
    /// </summary>
    public static GenerationResult SampleResult(TransportBenchSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var random = new Random(0);
        Rollout[] rollouts = [.. Enumerable.Range(0, settings.RolloutsPerChunk).Select(i => new Rollout(
            SampleId: 10_000 + i,
            PromptId: 1_000 + (i / 2),
            Prompt: [.. Enumerable.Range(0, settings.PromptTokens).Select(_ => random.Next(3, 259))],
            Response: [.. Enumerable.Range(0, settings.ResponseTokens).Select(_ => random.Next(3, 259))],
            LogProbs: [.. Enumerable.Range(0, settings.ResponseTokens).Select(_ => (float)Math.Log(random.NextDouble() + 1e-6))],
            Values: [.. Enumerable.Range(0, settings.ResponseTokens).Select(_ => (float)(random.NextDouble() * 2 - 1))],
            PolicyVersion: 7,
            Finish: i % 2 == 0 ? FinishReason.Stop : FinishReason.Length))];
        var reply = new RolloutsGenerated(RequestId: 42, rollouts, TimeSpan.FromMilliseconds(180));
        return new GenerationResult("actorrl://bench/coordinator/user/run-manager/results", "rollout-1", reply);
    }

    /// <summary>A policy version of <paramref name="bytes"/> bytes: float32 values as an initialized network holds them.</summary>
    public static byte[] SampleWeights(long bytes)
    {
        if (bytes is < 0 or > int.MaxValue) throw new ArgumentOutOfRangeException(nameof(bytes), bytes, "a weights version of 0 to 2 GiB");
        byte[] weights = new byte[bytes];
        Span<float> values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(weights.AsSpan());
        var random = new Random(0);
        for (int i = 0; i < values.Length; i++) values[i] = (float)((random.NextDouble() - 0.5) * 0.04);
        return weights;
    }

    /// <summary>Counts arrivals of one run and completes once the expected number came.</summary>
    private sealed class Tally(int expected)
    {
        private readonly TaskCompletionSource done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int arrived;

        public Task Done => done.Task;

        public void Arrived()
        {
            if (Interlocked.Increment(ref arrived) == expected) done.TrySetResult();
        }
    }

    /// <summary>The consumer on the other node: acknowledges each chunk through its receipt and counts it.</summary>
    private sealed class ResultsActor : ReceiveActor
    {
        public ResultsActor(Func<Tally?> current)
        {
            Receive<WorkDelivered>(d =>
            {
                d.Receipt.Ack();
                if (d.Message is GenerationResult { Reply: RolloutsGenerated }) current()?.Arrived();
            });
        }
    }

    /// <summary>Two cluster nodes and two raw connections on the broker, with everything each measurement uses.</summary>
    private sealed class Rig : IAsyncDisposable
    {
        private const string Cluster = "bench";
        private const string Topic = "policy";
        private const string ResultsQueue = "results"; // the queue rollout nodes send finished chunks through
        private readonly List<Func<ValueTask>> cleanup = [];
        private readonly Dictionary<ClusterNode, ActorSystem> systems = [];
        private readonly TransportBenchSettings settings;
        private Tally? clusterTally;
        private Tally? rawTally;
        private TaskCompletionSource<long>? weightsArrived;
        private TaskCompletionSource? rawWeightsArrived;
        private byte[] rawAssembly = [];
        private int rawAssembled;

        private Rig(TransportBenchSettings settings) => this.settings = settings;

        public byte[] RawMessage { get; private set; } = [];

        public string BrokerVersion { get; private set; } = "";

        private WorkQueue Results { get; set; } = null!;

        private WeightsPublisher Publisher { get; set; } = null!;

        private IChannel RawPublishing { get; set; } = null!;

        private BasicProperties RawProperties { get; set; } = null!;

        private string RawQueue { get; set; } = "";

        private string RawExchange { get; set; } = "";

        public static async Task<Rig> CreateAsync(LocalRabbitMq broker, TransportBenchSettings settings, CancellationToken ct)
        {
            var rig = new Rig(settings);
            try
            {
                await rig.SetUpAsync(broker, ct);
                return rig;
            }
            catch
            {
                await rig.DisposeAsync();
                throw;
            }
        }

        private async Task SetUpAsync(LocalRabbitMq broker, CancellationToken ct)
        {
            // Cluster layer: the learner's node publishes, a second node (its own actor system and connection) consumes.
            ClusterNode learner = await JoinAsync(broker, "learner", ct);
            ClusterNode rollout = await JoinAsync(broker, "rollout", ct);
            WireRegistry wire = RlhfClusterWire.Create();
            RawMessage = wire.Serialize(SampleResult(settings), learner.Settings.MaxMessageBytes).Payload;
            uint typeId = wire.Serialize(SampleResult(settings), learner.Settings.MaxMessageBytes).Id;

            WorkQueue results = await WorkQueue.OpenAsync(learner, ResultsQueue, ct);
            cleanup.Add(results.DisposeAsync);
            Results = results;
            WorkQueue consumed = await WorkQueue.OpenAsync(rollout, ResultsQueue, ct);
            cleanup.Add(consumed.DisposeAsync);
            IActorRef actor = ActorSystemOf(rollout).ActorOf(Props.Create(() => new ResultsActor(() => Volatile.Read(ref clusterTally))), "results");
            await consumed.ConsumeAsync(actor, TransportBenchSettings.Prefetch, ct);

            WeightsPublisher publisher = await WeightsPublisher.CreateAsync(learner, Topic, settings.ChunkBytes, ct);
            cleanup.Add(publisher.DisposeAsync);
            Publisher = publisher;
            WeightsSubscriber subscriber = await WeightsSubscriber.CreateAsync(rollout, Topic, w => Volatile.Read(ref weightsArrived)?.TrySetResult(w.Version), ct);
            cleanup.Add(subscriber.DisposeAsync);

            // Raw: one connection publishes, another consumes, as the two nodes do.
            ConnectionFactory factory = broker.CreateConnectionFactory();
            factory.AutomaticRecoveryEnabled = false;
            factory.ClientProvidedName = "actorrl bench raw publisher";
            IConnection publishing = await factory.CreateConnectionAsync(ct);
            cleanup.Add(publishing.DisposeAsync);
            cleanup.Add(async () => await publishing.CloseAsync());
            BrokerVersion = publishing.ServerProperties?.TryGetValue("version", out object? v) == true && v is byte[] version
                ? System.Text.Encoding.UTF8.GetString(version) : "(unknown version)";
            factory.ClientProvidedName = "actorrl bench raw consumer";
            IConnection consuming = await factory.CreateConnectionAsync(ct);
            cleanup.Add(consuming.DisposeAsync);
            cleanup.Add(async () => await consuming.CloseAsync());

            RawPublishing = await publishing.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct);
            RawQueue = $"actorrl.{Cluster}.raw.results";
            RawExchange = $"actorrl.{Cluster}.raw.weights";
            RawProperties = new BasicProperties { Type = $"wire:{typeId}", Persistent = true };
            await RawPublishing.QueueDeclareAsync(RawQueue, durable: true, exclusive: false, autoDelete: false, cancellationToken: ct);
            await RawPublishing.ExchangeDeclareAsync(RawExchange, ExchangeType.Fanout, durable: false, autoDelete: false, cancellationToken: ct);

            IChannel results2 = await consuming.CreateChannelAsync(cancellationToken: ct);
            await results2.BasicQosAsync(0, TransportBenchSettings.Prefetch, global: false, ct);
            var resultsConsumer = new AsyncEventingBasicConsumer(results2);
            resultsConsumer.ReceivedAsync += async (_, delivery) =>
            {
                await results2.BasicAckAsync(delivery.DeliveryTag, multiple: false);
                Volatile.Read(ref rawTally)?.Arrived();
            };
            await results2.BasicConsumeAsync(RawQueue, autoAck: false, resultsConsumer, ct);

            IChannel weights = await consuming.CreateChannelAsync(cancellationToken: ct);
            QueueDeclareOk queue = await weights.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true, cancellationToken: ct);
            await weights.QueueBindAsync(queue.QueueName, RawExchange, routingKey: "", cancellationToken: ct);
            var weightsConsumer = new AsyncEventingBasicConsumer(weights);
            weightsConsumer.ReceivedAsync += (_, delivery) =>
            {
                delivery.Body.Span.CopyTo(rawAssembly.AsSpan(rawAssembled));
                rawAssembled += delivery.Body.Length;
                if (rawAssembled == rawAssembly.Length) Volatile.Read(ref rawWeightsArrived)?.TrySetResult();
                return Task.CompletedTask;
            };
            await weights.BasicConsumeAsync(queue.QueueName, autoAck: true, weightsConsumer, ct);
        }

        private async Task<ClusterNode> JoinAsync(LocalRabbitMq broker, string name, CancellationToken ct)
        {
            var system = ActorSystem.Create(name);
            cleanup.Add(async () => await system.Terminate());
            var clusterSettings = new ClusterSettings
            {
                ClusterName = Cluster,
                NodeName = name,
                Broker = new BrokerSettings("127.0.0.1", broker.Port, broker.VirtualHost, broker.UserName, broker.Password),
            };
            ClusterNode node = await ClusterNode.JoinAsync(system, clusterSettings, RlhfClusterWire.Create(), ct);
            cleanup.Add(node.DisposeAsync);
            systems[node] = system;
            return node;
        }

        private ActorSystem ActorSystemOf(ClusterNode node) => systems[node];

        /// <summary>Seconds from the first publish until the actor on the other node has every message.</summary>
        public async Task<double> ClusterRolloutsAsync(GenerationResult result, int count, CancellationToken ct)
        {
            var tally = new Tally(count);
            Volatile.Write(ref clusterTally, tally);
            Settle();
            var clock = Stopwatch.StartNew();
            for (int sent = 0; sent < count; sent += settings.Batch)
            {
                await Results.PublishAsync(Enumerable.Repeat<object>(result, Math.Min(settings.Batch, count - sent)), ct);
            }
            await tally.Done.WaitAsync(RunTimeout, ct);
            return clock.Elapsed.TotalSeconds;
        }

        /// <summary>Seconds from the first raw publish until the raw consumer has every message.</summary>
        public async Task<double> RawRolloutsAsync(int count, CancellationToken ct)
        {
            var tally = new Tally(count);
            Volatile.Write(ref rawTally, tally);
            Settle();
            var clock = Stopwatch.StartNew();
            var confirms = new List<Task>(settings.Batch);
            for (int sent = 0; sent < count; sent += settings.Batch)
            {
                confirms.Clear();
                for (int i = 0; i < Math.Min(settings.Batch, count - sent); i++)
                {
                    confirms.Add(RawPublishing.BasicPublishAsync("", RawQueue, mandatory: true, RawProperties, RawMessage, ct).AsTask());
                }
                await Task.WhenAll(confirms);
            }
            await tally.Done.WaitAsync(RunTimeout, ct);
            return clock.Elapsed.TotalSeconds;
        }

        /// <summary>Seconds from the start of the publication until the subscriber on the other node has the verified version.</summary>
        public async Task<double> ClusterWeightsAsync(long version, byte[] weights, CancellationToken ct)
        {
            var arrived = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref weightsArrived, arrived);
            Settle();
            var clock = Stopwatch.StartNew();
            await Publisher.PublishAsync(version, weights, ct);
            long got = await arrived.Task.WaitAsync(RunTimeout, ct);
            double seconds = clock.Elapsed.TotalSeconds;
            if (got != version) throw new InvalidOperationException($"the subscriber handed over weights version {got}, not {version}");
            return seconds;
        }

        /// <summary>Seconds from the start of the raw publication until the other connection has reassembled every byte.</summary>
        public async Task<double> RawWeightsAsync(byte[] weights, CancellationToken ct)
        {
            var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            // A new buffer per version, as the subscriber allocates one per version.
            rawAssembly = new byte[weights.Length];
            rawAssembled = 0;
            Volatile.Write(ref rawWeightsArrived, arrived);
            Settle();
            var clock = Stopwatch.StartNew();
            var properties = new BasicProperties { Type = "raw-chunk" };
            var confirms = new List<Task>();
            for (int offset = 0; offset < weights.Length; offset += settings.ChunkBytes)
            {
                ReadOnlyMemory<byte> chunk = weights.AsMemory(offset, Math.Min(settings.ChunkBytes, weights.Length - offset));
                confirms.Add(RawPublishing.BasicPublishAsync(RawExchange, "", mandatory: false, properties, chunk, ct).AsTask());
            }
            await Task.WhenAll(confirms);
            await arrived.Task.WaitAsync(RunTimeout, ct);
            double seconds = clock.Elapsed.TotalSeconds;
            if (!rawAssembly.AsSpan().SequenceEqual(weights)) throw new InvalidOperationException("the raw weights arrived changed");
            return seconds;
        }

        // The garbage of the previous run is collected before the next one starts, on both sides alike.
        private static void Settle()
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        public async ValueTask DisposeAsync()
        {
            for (int i = cleanup.Count - 1; i >= 0; i--)
            {
                try
                {
                    await cleanup[i]();
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // The broker goes next: whatever failed to close goes with it.
                }
            }
        }
    }
}

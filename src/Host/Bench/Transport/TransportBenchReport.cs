using ActorRL.Host.Diagnostics;

namespace ActorRL.Host.Bench.Transport;

/// <summary>What <c>actorrl bench transport</c> measures, with the defaults it runs when no option is given.</summary>
/// <param name="Rollouts">Finished generation chunks (messages) published and consumed per run.</param>
/// <param name="RolloutsPerChunk">Rollouts in each chunk.</param>
/// <param name="PromptTokens">Prompt tokens of each rollout.</param>
/// <param name="ResponseTokens">Response tokens of each rollout, each with its log-probability and value.</param>
/// <param name="Batch">Messages published together before waiting for their confirms, on both sides.</param>
/// <param name="WeightsMegabytes">Size of the published policy version, in 10^6 bytes (40 MB: a 10M-parameter float32 policy).</param>
/// <param name="ChunkKib">Largest piece of a weights version per message, in KiB, on both sides.</param>
/// <param name="Rounds">Timed rounds (cluster and raw in turn, alternating which goes first); the figures use the median round.</param>
public sealed record TransportBenchSettings(
    int Rollouts = 4000,
    int RolloutsPerChunk = 4,
    int PromptTokens = 32,
    int ResponseTokens = 48,
    int Batch = 50,
    int WeightsMegabytes = 40,
    int ChunkKib = 4096,
    int Rounds = 5)
{
    /// <summary>Unacknowledged messages a results consumer holds at a time, on both sides: the coordinator's prefetch.</summary>
    public const ushort Prefetch = 16;

    /// <summary>Bytes of the published weights version.</summary>
    public long WeightsBytes => WeightsMegabytes * 1_000_000L;

    /// <summary>Bytes of a weights chunk's data.</summary>
    public int ChunkBytes => ChunkKib * 1024;
}

/// <summary>The ratios of <c>actorrl bench transport</c>: ActorRL's cluster layer over raw RabbitMQ on the same broker.</summary>
/// <param name="WeightsOverRaw">Weights publication MB/s through WeightsPublisher/WeightsSubscriber over raw (goal ≥ 0.7).</param>
/// <param name="RolloutsOverRaw">Rollout messages/s through a WorkQueue to an actor over raw (goal ≥ 0.5).</param>
public sealed record TransportRatios(double WeightsOverRaw, double RolloutsOverRaw)
{
    /// <summary>The least acceptable <see cref="WeightsOverRaw"/>.</summary>
    public const double WeightsGoal = 0.7;

    /// <summary>The least acceptable <see cref="RolloutsOverRaw"/>.</summary>
    public const double RolloutsGoal = 0.5;
}

/// <summary>The single figures of <c>actorrl bench transport</c>, each from the median round.</summary>
/// <param name="RolloutMessageBytes">Serialized size of one finished chunk (a <c>GenerationResult</c>), the bytes raw publishes.</param>
/// <param name="RolloutMessagesPerS">Chunks per second through a WorkQueue (publish with confirms, consume and ack in an actor on another node).</param>
/// <param name="RawRolloutMessagesPerS">The same bytes per second through raw RabbitMQ (persistent, confirms, manual acks).</param>
/// <param name="WeightsMegabytes">Size of the version (10^6 bytes).</param>
/// <param name="WeightsMbPerS">Version MB per second through WeightsPublisher until another node's WeightsSubscriber handed it over verified.</param>
/// <param name="RawWeightsMbPerS">The same bytes in the same chunks through a raw fanout exchange, until reassembled on another connection.</param>
public sealed record TransportFigures(
    int RolloutMessageBytes,
    double RolloutMessagesPerS,
    double RawRolloutMessagesPerS,
    double WeightsMegabytes,
    double WeightsMbPerS,
    double RawWeightsMbPerS);

/// <summary>One timed round: each measurement once through the cluster layer and once raw.</summary>
/// <param name="Round">0-based round.</param>
/// <param name="First">Which went first in this round: "cluster" or "raw".</param>
/// <param name="RolloutSeconds">First publish to last chunk consumed, through the cluster layer.</param>
/// <param name="RawRolloutSeconds">The same, raw.</param>
/// <param name="WeightsSeconds">Start of the publication to the subscriber's callback with the verified version.</param>
/// <param name="RawWeightsSeconds">Start of the raw publication to the last chunk reassembled.</param>
public sealed record TransportRound(int Round, string First, double RolloutSeconds, double RawRolloutSeconds, double WeightsSeconds, double RawWeightsSeconds);

/// <summary>What <c>actorrl bench transport</c> measured.</summary>
/// <param name="Settings">Sizes and counts.</param>
/// <param name="Ratios">Ratios.</param>
/// <param name="Figures">Figures.</param>
/// <param name="Rounds">Every timed round.</param>
/// <param name="Broker">The broker measured on.</param>
/// <param name="Notes">How to read the figures.</param>
/// <param name="Machine">Processor, cores, operating system, runtime.</param>
public sealed record TransportBenchReport(
    TransportBenchSettings Settings,
    TransportRatios Ratios,
    TransportFigures Figures,
    IReadOnlyList<TransportRound> Rounds,
    string Broker,
    IReadOnlyList<string> Notes,
    MachineInfo Machine);

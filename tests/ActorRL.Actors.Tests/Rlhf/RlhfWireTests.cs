using System.Collections;
using System.Runtime.InteropServices;
using ActorRL.Actors.Cluster;
using ActorRL.Actors.Rlhf;
using RlhfWire = ActorRL.Actors.Rlhf.Wire.RlhfWire;
using ActorRL.Models.Inference;
using ActorRL.Models.Rlhf;
using ActorRL.Models.Tensors;
using Google.Protobuf;
using Pb = ActorRL.Actors.Rlhf.Wire;

namespace ActorRL.Actors.Tests.Rlhf;

/// <summary>The RLHF roles' messages cross the wire as protobuf and come back as equal records.</summary>
public sealed class RlhfWireTests
{
    private static readonly double NegativeZero = BitConverter.Int64BitsToDouble(long.MinValue);

    // A NaN with a payload: protobuf doubles keep their bits, so even this survives.
    private static readonly double PayloadNaN = BitConverter.Int64BitsToDouble(0x7FF8_0000_DEAD_BEEF);

    private static WireRegistry Wire() => RlhfWire.Register(new WireRegistry());

    private static GenerationOptions Options => new()
    {
        MaxNewTokens = 17,
        Temperature = 0.7,
        TopK = 40,
        TopP = 0.95,
        StopTokens = [2, 50256, 0],
        UseKvCache = false,
        Seed = ulong.MaxValue - 3,
    };

    private static RolloutPrompt[] Prompts =>
    [
        new(SampleId: 1001, PromptId: 7, Tokens: [1, 15, 27, 3]),
        new(SampleId: 1002, PromptId: 7, Tokens: [1, 15, 27, 3]),
        new(SampleId: 1003, PromptId: -1, Tokens: []),
        new(SampleId: long.MaxValue, PromptId: 42, Tokens: [int.MaxValue, int.MinValue, 0]),
    ];

    // Different lengths, with and without values, an empty response, both finish reasons.
    private static Rollout[] Rollouts =>
    [
        new(1001, 7, [1, 15, 27, 3], [44, 45, 2], [-0.5f, -1.25f, -0.0f], [0.1f, float.NaN, -3.5f], PolicyVersion: 4, FinishReason.Stop),
        new(1002, 7, [1, 15, 27, 3], [9, 9, 9, 9, 9, 9, 9], [-2f, -2.5f, float.NegativeInfinity, -1e-30f, -7f, -0.001f, float.MinValue], [], 4, FinishReason.Length),
        new(1003, -1, [], [], [], [], 3, FinishReason.Length),
        new(long.MaxValue, 42, [int.MaxValue], [2], [float.Epsilon], [float.PositiveInfinity], long.MinValue, FinishReason.Stop),
    ];

    private static WeightsSnapshot Snapshot
    {
        get
        {
            float[] weights = [0.5f, -0.0f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1e-38f, 3.25f, -7f, 0f, 1f, 2f, float.MaxValue];
            long[] positions = [0, -1, long.MaxValue, long.MinValue, 12345678901];
            return new WeightsSnapshot(9,
            [
                new TensorBytes("transformer.h.0.attn.w", ScalarType.Float32, [3, 4], MemoryMarshal.AsBytes(weights.AsSpan()).ToArray()),
                new TensorBytes("positions", ScalarType.Int64, [5], MemoryMarshal.AsBytes(positions.AsSpan()).ToArray()),
                new TensorBytes("ln.scale", ScalarType.BFloat16, [2, 1, 3], [0x80, 0x3f, 0x00, 0xc0, 0xc0, 0x7f, 0x00, 0x80, 0x80, 0x7f, 0x80, 0xff]),
                new TensorBytes("scalar", ScalarType.Float64, [], BitConverter.GetBytes(Math.PI)),
                new TensorBytes("empty", ScalarType.Float32, [0, 8], []),
            ]);
        }
    }

    private static Dictionary<string, double> Metrics => new()
    {
        ["reward_mean"] = 0.625,
        ["kl"] = NegativeZero,
        ["clip_fraction"] = double.NaN,
        ["grad_norm"] = double.PositiveInfinity,
        ["loss"] = -1.0e-300,
        ["ünïcode_μ"] = PayloadNaN,
    };

    private static TrainingBatch Batch => new(88,
    [
        new TrainingSample(1001, [1, 15, 27, 3], [44, 45, 2], [-0.5f, -1.25f, -0f], [0.1f, 0.2f, -3.5f], [1f, float.NaN, -0f], [0.3f, 0.2f, 0.1f],
            [-0.6f, -1.2f, -0.1f], SpanIds: null),
        new TrainingSample(1002, [1], [9, 9], [-2f, -2.5f], [], [0.5f, -0.5f], [], [-2.1f, -2.4f], SpanIds: [0, 1]),
        new TrainingSample(1003, [], [], [], [], [], [], [], SpanIds: []),
    ], Metrics);

    private static PreferenceSample[] Pairs =>
    [
        new(5, [1, 2, 3], [4, 5], [6], RefChosen: -12.5, RefRejected: NegativeZero, Weight: 1),
        new(6, [], [7, 8, 9], [], double.NaN, double.NegativeInfinity, Weight: 0),
        new(long.MinValue, [1], [], [2, 2], PayloadNaN, double.MaxValue, Weight: 0.25),
    ];

    private static SequencePair[] Items => [new([1, 2, 3], [4, 5]), new([], []), new([9], [10, 11, 12, 13])];

    /// <summary>At least one realistic instance of every mapped record, by a name for the theory.</summary>
    private static readonly Dictionary<string, object> Samples = new()
    {
        ["RoleFailed"] = new RoleFailed(7, "/user/run/reference", "CUDA out of memory; ünïcode ✓\nsecond line"),
        ["RoleFailed empty strings"] = new RoleFailed(0, "", ""),
        ["RoleFailed permanent"] = new RoleFailed(8, "/user/run/learner", "the loss is NaN", Permanent: true),
        ["RolloutRequested"] = new RolloutRequested(11, 3, Prompts, Options, MinVersion: 5),
        ["RolloutRequested default options no prompts"] = new RolloutRequested(12, 0, [], new GenerationOptions(), -1),
        ["RolloutRequested greedy"] = new RolloutRequested(13, 1, Prompts[..1], new GenerationOptions { Temperature = NegativeZero, TopP = 0.5 }, 0),
        ["RolloutsGenerated"] = new RolloutsGenerated(13, Rollouts, TimeSpan.FromTicks(123_456_789)),
        ["RolloutsGenerated empty"] = new RolloutsGenerated(14, [], TimeSpan.Zero),
        ["WeightsPublished"] = new WeightsPublished(Snapshot),
        ["WeightsPublished no tensors"] = new WeightsPublished(new WeightsSnapshot(0, [])),
        ["ReferenceScoresRequested"] = new ReferenceScoresRequested(15, 3, Rollouts, WithDpo: true),
        ["ReferenceScored"] = new ReferenceScored(16, [[-0.6f, -1.2f, -0.1f], [], [float.NaN, -0f]], [[-0.5f, -1f, -0f], null, []],
            TimeSpan.FromMilliseconds(1234.5678)),
        ["ReferenceScored without dpo"] = new ReferenceScored(17, [[-1f]], [null], TimeSpan.MaxValue),
        ["SequenceScoresRequested"] = new SequenceScoresRequested(18, 4, Items),
        ["SequencesScored"] = new SequencesScored(19,
            [-12.5, double.NaN, NegativeZero, double.PositiveInfinity, double.NegativeInfinity, double.Epsilon, PayloadNaN], TimeSpan.FromTicks(1)),
        ["RewardsRequested"] = new RewardsRequested(20, 5, Rollouts, WithDemonstrations: true,
            new Dictionary<long, double[]> { [41] = [0.5, NegativeZero], [-2] = [PayloadNaN, -7.25], [long.MaxValue] = [] }),
        ["RewardsRequested nothing known"] = new RewardsRequested(20, 5, Rollouts, WithDemonstrations: false, new Dictionary<long, double[]>()),
        ["RewardsScored with demonstrations"] = new RewardsScored(21, [[1.0, NegativeZero], [double.NaN, 0.5], [], [-3]],
            [[0.25, 0.75], [PayloadNaN, double.NegativeInfinity], [], [1e308]], TimeSpan.FromSeconds(2), DemonstrationsScored: 3),
        ["RewardsScored null demonstrations"] = new RewardsScored(22, [[1.0], [0.0]], null, TimeSpan.Zero),
        ["RewardsScored empty demonstrations"] = new RewardsScored(23, [], [], TimeSpan.Zero),
        ["TrainingRequested"] = new TrainingRequested(24, 6, Batch),
        ["TrainingRequested empty batch"] = new TrainingRequested(25, 6, new TrainingBatch(0, [], new Dictionary<string, double>())),
        ["PreferenceTrainingRequested"] = new PreferenceTrainingRequested(26, 7, Pairs),
        ["PolicyUpdated"] = new PolicyUpdated(27, Snapshot, Metrics, TimeSpan.FromTicks(98_765_432_1), TimeSpan.FromTicks(-5)),
        ["WeightsRequested"] = new WeightsRequested(28, long.MaxValue),
        ["WeightsReply"] = new WeightsReply(29, Snapshot),
        ["PolicySequenceScoresRequested"] = new PolicySequenceScoresRequested(30, 8, Items),
        ["CheckpointRequested"] = new CheckpointRequested(31, 9, "/runs/exp 1/checkpoints/step-000009",
            new Dictionary<string, string> { ["data_cursor"] = "1024", ["ropo_round"] = "", ["note"] = "ünïcode ✓" }),
        ["CheckpointWritten"] = new CheckpointWritten(32, "/runs/exp 1/checkpoints/step-000009"),
    };

    public static TheoryData<string> SampleNames => [.. Samples.Keys];

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void ARecordRoundTripsFieldByField(string name)
    {
        WireRegistry wire = Wire();
        object message = Samples[name];
        (uint id, byte[] payload) = wire.Serialize(message, int.MaxValue);
        Assert.Equal(RlhfWire.Ids[message.GetType()], id);
        object back = wire.Deserialize(id, payload);
        Assert.IsType(message.GetType(), back);
        AssertStructurallyEqual(message, back, message.GetType().Name);
        // And it serializes to the same bytes again.
        Assert.Equal(payload, wire.Serialize(back, int.MaxValue).Payload);
    }

    [Fact]
    public void EveryMappedRecordHasASampleAndEveryIdIsInItsRangeAndDistinct()
    {
        Assert.Equal(18, RlhfWire.Ids.Count);
        Assert.Equal(RlhfWire.Ids.Keys.OrderBy(t => t.Name), Samples.Values.Select(s => s.GetType()).Distinct().OrderBy(t => t.Name));
        Assert.All(RlhfWire.Ids.Values, id => Assert.InRange(id, RlhfWire.FirstId, RlhfWire.LastId));
        Assert.InRange(RlhfWire.FirstId, 100u, 100u);
        Assert.InRange(RlhfWire.LastId, 199u, 199u);
        Assert.Equal(RlhfWire.Ids.Count, RlhfWire.Ids.Values.Distinct().Count());
        WireRegistry wire = Wire();
        Assert.All(RlhfWire.Ids.Keys, t => Assert.True(wire.IsRegistered(t), $"{t.Name} is not registered"));
        // The ids are fixed: a few spot checks against the documented table.
        Assert.Equal(100u, RlhfWire.Ids[typeof(RoleFailed)]);
        Assert.Equal(103u, RlhfWire.Ids[typeof(WeightsPublished)]);
        Assert.Equal(117u, RlhfWire.Ids[typeof(CheckpointWritten)]);
        // Registering twice collides on the ids.
        Assert.Contains("wire id 100 is already registered", Assert.Throws<ArgumentException>(() => RlhfWire.Register(wire)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NullAndEmptyStayDistinctAndBitsArePreserved()
    {
        WireRegistry wire = Wire();
        var scored = (ReferenceScored)RoundTrip(wire, Samples["ReferenceScored"]);
        Assert.NotNull(scored.DpoLogProbs[0]);
        Assert.Null(scored.DpoLogProbs[1]);
        Assert.Empty(scored.DpoLogProbs[2]!);
        Assert.Null(((RewardsScored)RoundTrip(wire, Samples["RewardsScored null demonstrations"])).DemoRewards);
        Assert.Empty(((RewardsScored)RoundTrip(wire, Samples["RewardsScored empty demonstrations"])).DemoRewards!);
        var batch = ((TrainingRequested)RoundTrip(wire, Samples["TrainingRequested"])).Batch;
        Assert.Null(batch.Samples[0].SpanIds);
        Assert.Empty(batch.Samples[2].SpanIds!);
        var sequences = (SequencesScored)RoundTrip(wire, Samples["SequencesScored"]);
        Assert.Equal(long.MinValue, BitConverter.DoubleToInt64Bits(sequences.LogProbs[2]));
        Assert.Equal(0x7FF8_0000_DEAD_BEEF, BitConverter.DoubleToInt64Bits(sequences.LogProbs[6]));
        var options = ((RolloutRequested)RoundTrip(wire, Samples["RolloutRequested"])).Options;
        Assert.Equal(ulong.MaxValue - 3, options.Seed);
        Assert.Null(((RolloutRequested)RoundTrip(wire, Samples["RolloutRequested default options no prompts"])).Options.Seed);
        // The received weights equal the sent ones (same version and content hash).
        Assert.Equal(Snapshot, ((WeightsReply)RoundTrip(wire, Samples["WeightsReply"])).Weights);
    }

    [Fact]
    public void ReceivedTensorBytesAreACopyOfThePayload()
    {
        WireRegistry wire = Wire();
        (uint id, byte[] payload) = wire.Serialize(new WeightsPublished(Snapshot), int.MaxValue);
        var received = (WeightsPublished)wire.Deserialize(id, payload);
        byte[] data = [.. received.Weights.Tensors[0].Data];
        Array.Fill(payload, (byte)0xAB);
        Assert.Equal(data, received.Weights.Tensors[0].Data);
    }

    [Fact]
    public void ATamperedTensorIsRefusedNamingTheProblem()
    {
        WireRegistry wire = Wire();
        // The shape says 12 floats (48 bytes), the data holds 40.
        var tampered = new WeightsPublished(new WeightsSnapshot(3, [new TensorBytes("lm_head.weight", ScalarType.Float32, [3, 4], new byte[40])]));
        (uint id, byte[] payload) = wire.Serialize(tampered, int.MaxValue);
        var error = Assert.Throws<WireFormatException>(() => wire.Deserialize(id, payload));
        Assert.Contains("tensor 'lm_head.weight' (Float32 [3, 4]) has 40 bytes of data, not 48 (12 elements of 4 bytes)", error.Message, StringComparison.Ordinal);
        Assert.Contains(typeof(WeightsPublished).FullName!, error.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<ArgumentException>(error.InnerException);
    }

    [Fact]
    public void MalformedPartsAreRefusedWithAClearMessage()
    {
        WireRegistry wire = Wire();
        static Pb.WeightsPublished Weights(Pb.TensorBytes tensor) => new() { Weights = new Pb.WeightsSnapshot { Version = 1, Tensors = { tensor } } };
        AssertRefused(wire, 103, Weights(new Pb.TensorBytes { Name = "w", Dtype = (Pb.ScalarType)99, Shape = { 2 }, Data = ByteString.CopyFrom(new byte[8]) }),
            "tensor 'w' has an unknown dtype 99");
        AssertRefused(wire, 103, Weights(new Pb.TensorBytes { Name = "w", Dtype = Pb.ScalarType.Float32, Shape = { 2, -3 }, Data = ByteString.Empty }),
            "tensor 'w' has a negative dimension in its shape [2, -3]");
        AssertRefused(wire, 103, Weights(new Pb.TensorBytes { Name = "w", Dtype = Pb.ScalarType.Float64, Shape = { long.MaxValue, 4 }, Data = ByteString.Empty }),
            "tensor 'w' has a shape [9223372036854775807, 4] too large to address");
        AssertRefused(wire, 103, new Pb.WeightsPublished(), "WeightsPublished has no weights");
        AssertRefused(wire, 101, new Pb.RolloutRequested { RequestId = 1 }, "RolloutRequested has no options");
        AssertRefused(wire, 110, new Pb.TrainingRequested { RequestId = 1 }, "TrainingRequested has no batch");
        AssertRefused(wire, 112, new Pb.PolicyUpdated { RequestId = 1 }, "PolicyUpdated has no weights");
        AssertRefused(wire, 114, new Pb.WeightsReply { RequestId = 1 }, "WeightsReply has no weights");
        AssertRefused(wire, 102, new Pb.RolloutsGenerated { Rollouts = { new Pb.Rollout { SampleId = 5, Response = { 1, 2 }, LogProbs = { -1f } } } },
            "the rollout of sample 5 has 1 log-probabilities for 2 response tokens");
        AssertRefused(wire, 102, new Pb.RolloutsGenerated { Rollouts = { new Pb.Rollout { SampleId = 5, Response = { 1 }, LogProbs = { -1f }, Values = { 1f, 2f } } } },
            "the rollout of sample 5 has 2 values for 1 response tokens (must be 1 or none)");
        AssertRefused(wire, 102, new Pb.RolloutsGenerated { Rollouts = { new Pb.Rollout { SampleId = 5, Finish = (Pb.FinishReason)7 } } },
            "the rollout of sample 5 has an unknown finish reason 7");
        AssertRefused(wire, 105, new Pb.ReferenceScored { RefLogProbs = { new Pb.FloatArray() }, DpoLogProbs = { new Pb.NullableFloatArray { Values = { 1f } } } },
            "a null float array (present is false) has 1 values");
        AssertRefused(wire, 105, new Pb.ReferenceScored { RefLogProbs = { new Pb.FloatArray(), new Pb.FloatArray() } },
            "ReferenceScored has 2 reference entries but 0 DPO entries");
        AssertRefused(wire, 109, new Pb.RewardsScored { Rewards = { new Pb.DoubleArray() }, DemoRewards = { new Pb.DoubleArray() } },
            "RewardsScored has no demonstration rewards (has_demo_rewards is false) but 1 demonstration entries");
        AssertRefused(wire, 109, new Pb.RewardsScored { Rewards = { new Pb.DoubleArray() }, HasDemoRewards = true },
            "RewardsScored has 1 reward entries but 0 demonstration entries");
        AssertRefused(wire, 110, new Pb.TrainingRequested { Batch = new Pb.TrainingBatch { Samples = { new Pb.TrainingSample { SampleId = 3, Response = { 1 }, OldLogProbs = { 1f }, RefLogProbs = { 1f } } } } },
            "training sample 3 has 0 advantages for 1 response tokens");
        AssertRefused(wire, 110, new Pb.TrainingRequested
        {
            Batch = new Pb.TrainingBatch { Samples = { new Pb.TrainingSample { SampleId = 3, Response = { 1 }, OldLogProbs = { 1f }, Advantages = { 1f }, RefLogProbs = { 1f }, HasSpanIds = true } } },
        }, "training sample 3 has 0 span ids for 1 response tokens");
    }

    private sealed record NotForTheWire(int N);

    [Fact]
    public void AnUnregisteredRecordStillCannotBeSent()
    {
        WireRegistry wire = Wire();
        Assert.Contains("is not registered for the wire",
            Assert.Throws<ArgumentException>(() => wire.Serialize(new NotForTheWire(1), int.MaxValue)).Message, StringComparison.Ordinal);
        // Role messages outside this mapping (the objective's, which stays on the coordinator's node) are not registered either.
        Assert.Throws<ArgumentException>(() => wire.Serialize(new BatchPrepared(1, Batch, TimeSpan.Zero), int.MaxValue));
        Assert.False(wire.IsRegistered(typeof(BatchPrepared)));
    }

    [Fact]
    public void TheComparisonSeesDifferencesThatRecordEqualityWouldMiss()
    {
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => AssertStructurallyEqual(0.0, NegativeZero, "x"));
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => AssertStructurallyEqual(new SequencePair([1], [2]), new SequencePair([1], [3]), "x"));
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => AssertStructurallyEqual(new ReferenceScored(1, [], [null], TimeSpan.Zero),
            new ReferenceScored(1, [], [[]], TimeSpan.Zero), "x"));
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => AssertStructurallyEqual(Options, Options with { StopTokens = [2, 50256] }, "x"));
        AssertStructurallyEqual(Samples["PolicyUpdated"], Samples["PolicyUpdated"], "x");
    }

    private static object RoundTrip(WireRegistry wire, object message)
    {
        (uint id, byte[] payload) = wire.Serialize(message, int.MaxValue);
        return wire.Deserialize(id, payload);
    }

    private static void AssertRefused(WireRegistry wire, uint id, IMessage message, string problem)
    {
        var error = Assert.Throws<WireFormatException>(() => wire.Deserialize(id, message.ToByteArray()));
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Equal values, compared structurally: records by their public properties, collections and dictionaries element by
    /// element in order, floats and doubles by their bits (NaN payloads and the sign of zero included).
    /// </summary>
    private static void AssertStructurallyEqual(object? expected, object? actual, string path)
    {
        if (expected is null || actual is null)
        {
            Assert.True(expected is null && actual is null, $"{path}: expected {expected ?? "null"}, got {actual ?? "null"}");
            return;
        }
        switch (expected)
        {
            case double d:
                Assert.True(actual is double a && BitConverter.DoubleToInt64Bits(d) == BitConverter.DoubleToInt64Bits(a), $"{path}: expected {d:R}, got {actual}");
                return;
            case float f:
                Assert.True(actual is float b && BitConverter.SingleToInt32Bits(f) == BitConverter.SingleToInt32Bits(b), $"{path}: expected {f:R}, got {actual}");
                return;
            case string or Enum or TimeSpan or bool or int or long or ulong or byte:
                Assert.True(expected.Equals(actual), $"{path}: expected {expected}, got {actual}");
                return;
            case IEnumerable items:
                Assert.True(actual is IEnumerable, $"{path}: expected a collection, got {actual.GetType().Name}");
                var e = items.Cast<object?>().ToList();
                var a2 = ((IEnumerable)actual).Cast<object?>().ToList();
                Assert.True(e.Count == a2.Count, $"{path}: expected {e.Count} elements, got {a2.Count}");
                for (int i = 0; i < e.Count; i++) AssertStructurallyEqual(e[i], a2[i], $"{path}[{i}]");
                return;
        }
        Assert.True(expected.GetType() == actual.GetType(), $"{path}: expected a {expected.GetType().Name}, got a {actual.GetType().Name}");
        var properties = expected.GetType().GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0).ToList();
        Assert.NotEmpty(properties);
        foreach (var property in properties) AssertStructurallyEqual(property.GetValue(expected), property.GetValue(actual), $"{path}.{property.Name}");
    }
}

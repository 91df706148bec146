using ActorRL.Actors.Cluster;
using Google.Protobuf;
using Google.Protobuf.Collections;
using Inf = ActorRL.Models.Inference;
using Mdl = ActorRL.Models.Rlhf;
using Rec = ActorRL.Actors.Rlhf;
using Tns = ActorRL.Models.Tensors;

namespace ActorRL.Actors.Rlhf.Wire;

// Names without a prefix are the protobuf messages of rlhf_wire.proto; Rec.* are the role messages (records of
// Messages.cs) and Mdl.*, Inf.*, Tns.* the model types they are built from.

/// <summary>
/// The mapping of the RLHF roles' messages (<see cref="Rec.RoleFailed"/>, <see cref="Rec.RolloutRequested"/>, …) to their
/// protobuf counterparts in <c>rlhf_wire.proto</c>, so that roles on other nodes of a cluster exchange the same records
/// they exchange locally. Received messages are checked for what the roles would choke on (a tensor whose bytes do not
/// match its shape and dtype, per-token arrays of different lengths, a missing required part); such a payload is refused
/// with an <see cref="ArgumentException"/>, which <see cref="WireRegistry.Deserialize"/> reports as a
/// <see cref="WireFormatException"/>.
/// </summary>
public static class RlhfWire
{
    // The wire ids. They are part of the wire protocol between nodes: an id, once given, keeps its record forever and
    // is never reused for another one, even after the record is retired; new records take the next free id. This
    // mapping owns 100..199.
    //   100 RoleFailed                    106 SequenceScoresRequested        112 PolicyUpdated
    //   101 RolloutRequested              107 SequencesScored                113 WeightsRequested
    //   102 RolloutsGenerated             108 RewardsRequested               114 WeightsReply
    //   103 WeightsPublished              109 RewardsScored                  115 PolicySequenceScoresRequested
    //   104 ReferenceScoresRequested      110 TrainingRequested              116 CheckpointRequested
    //   105 ReferenceScored               111 PreferenceTrainingRequested    117 CheckpointWritten

    /// <summary>The first wire id of the range this mapping owns.</summary>
    public const uint FirstId = 100;

    /// <summary>The last wire id of the range this mapping owns.</summary>
    public const uint LastId = 199;

    /// <summary>The wire id of each mapped record (fixed: part of the wire protocol).</summary>
    public static IReadOnlyDictionary<Type, uint> Ids { get; } = new Dictionary<Type, uint>
    {
        [typeof(Rec.RoleFailed)] = 100,
        [typeof(Rec.RolloutRequested)] = 101,
        [typeof(Rec.RolloutsGenerated)] = 102,
        [typeof(Rec.WeightsPublished)] = 103,
        [typeof(Rec.ReferenceScoresRequested)] = 104,
        [typeof(Rec.ReferenceScored)] = 105,
        [typeof(Rec.SequenceScoresRequested)] = 106,
        [typeof(Rec.SequencesScored)] = 107,
        [typeof(Rec.RewardsRequested)] = 108,
        [typeof(Rec.RewardsScored)] = 109,
        [typeof(Rec.TrainingRequested)] = 110,
        [typeof(Rec.PreferenceTrainingRequested)] = 111,
        [typeof(Rec.PolicyUpdated)] = 112,
        [typeof(Rec.WeightsRequested)] = 113,
        [typeof(Rec.WeightsReply)] = 114,
        [typeof(Rec.PolicySequenceScoresRequested)] = 115,
        [typeof(Rec.CheckpointRequested)] = 116,
        [typeof(Rec.CheckpointWritten)] = 117,
    };

    /// <summary>Registers every role message of <see cref="Ids"/> in <paramref name="wire"/> under its id.</summary>
    /// <param name="wire">The node's registry (the same registrations on every node of the cluster).</param>
    /// <returns><paramref name="wire"/>, for chaining.</returns>
    /// <exception cref="ArgumentException">One of the ids or records is already registered.</exception>
    public static WireRegistry Register(WireRegistry wire)
    {
        ArgumentNullException.ThrowIfNull(wire);
        Map<Rec.RoleFailed, RoleFailed>(wire, ToWire, FromWire);
        Map<Rec.RolloutRequested, RolloutRequested>(wire, ToWire, FromWire);
        Map<Rec.RolloutsGenerated, RolloutsGenerated>(wire, ToWire, FromWire);
        Map<Rec.WeightsPublished, WeightsPublished>(wire, ToWire, FromWire);
        Map<Rec.ReferenceScoresRequested, ReferenceScoresRequested>(wire, ToWire, FromWire);
        Map<Rec.ReferenceScored, ReferenceScored>(wire, ToWire, FromWire);
        Map<Rec.SequenceScoresRequested, SequenceScoresRequested>(wire, ToWire, FromWire);
        Map<Rec.SequencesScored, SequencesScored>(wire, ToWire, FromWire);
        Map<Rec.RewardsRequested, RewardsRequested>(wire, ToWire, FromWire);
        Map<Rec.RewardsScored, RewardsScored>(wire, ToWire, FromWire);
        Map<Rec.TrainingRequested, TrainingRequested>(wire, ToWire, FromWire);
        Map<Rec.PreferenceTrainingRequested, PreferenceTrainingRequested>(wire, ToWire, FromWire);
        Map<Rec.PolicyUpdated, PolicyUpdated>(wire, ToWire, FromWire);
        Map<Rec.WeightsRequested, WeightsRequested>(wire, ToWire, FromWire);
        Map<Rec.WeightsReply, WeightsReply>(wire, ToWire, FromWire);
        Map<Rec.PolicySequenceScoresRequested, PolicySequenceScoresRequested>(wire, ToWire, FromWire);
        Map<Rec.CheckpointRequested, CheckpointRequested>(wire, ToWire, FromWire);
        Map<Rec.CheckpointWritten, CheckpointWritten>(wire, ToWire, FromWire);
        return wire;
    }

    private static void Map<TRecord, TWire>(WireRegistry wire, Func<TRecord, TWire> toWire, Func<TWire, TRecord> fromWire)
        where TRecord : notnull where TWire : IMessage<TWire>, new() =>
        wire.Map(Ids[typeof(TRecord)], toWire, fromWire);

    // ---- The role messages ----

    private static RoleFailed ToWire(Rec.RoleFailed m) => new() { RequestId = m.RequestId, Role = m.Role, Error = m.Error, Permanent = m.Permanent };

    private static Rec.RoleFailed FromWire(RoleFailed w) => new(w.RequestId, w.Role, w.Error, w.Permanent);

    private static RolloutRequested ToWire(Rec.RolloutRequested m)
    {
        var w = new RolloutRequested { RequestId = m.RequestId, Step = m.Step, Options = ToWire(m.Options), MinVersion = m.MinVersion };
        w.Prompts.AddRange(m.Prompts.Select(ToWire));
        return w;
    }

    private static Rec.RolloutRequested FromWire(RolloutRequested w) =>
        new(w.RequestId, w.Step, [.. w.Prompts.Select(FromWire)], FromWire(Required(w.Options, "RolloutRequested", "options")), w.MinVersion);

    private static RolloutsGenerated ToWire(Rec.RolloutsGenerated m)
    {
        var w = new RolloutsGenerated { RequestId = m.RequestId, ComputeTimeTicks = m.ComputeTime.Ticks };
        w.Rollouts.AddRange(m.Rollouts.Select(ToWire));
        return w;
    }

    private static Rec.RolloutsGenerated FromWire(RolloutsGenerated w) =>
        new(w.RequestId, [.. w.Rollouts.Select(FromWire)], TimeSpan.FromTicks(w.ComputeTimeTicks));

    private static WeightsPublished ToWire(Rec.WeightsPublished m) => new() { Weights = ToWire(m.Weights) };

    private static Rec.WeightsPublished FromWire(WeightsPublished w) => new(FromWire(Required(w.Weights, "WeightsPublished", "weights")));

    private static ReferenceScoresRequested ToWire(Rec.ReferenceScoresRequested m)
    {
        var w = new ReferenceScoresRequested { RequestId = m.RequestId, Step = m.Step, WithDpo = m.WithDpo };
        w.Rollouts.AddRange(m.Rollouts.Select(ToWire));
        return w;
    }

    private static Rec.ReferenceScoresRequested FromWire(ReferenceScoresRequested w) =>
        new(w.RequestId, w.Step, [.. w.Rollouts.Select(FromWire)], w.WithDpo);

    private static ReferenceScored ToWire(Rec.ReferenceScored m)
    {
        var w = new ReferenceScored { RequestId = m.RequestId, ComputeTimeTicks = m.ComputeTime.Ticks };
        w.RefLogProbs.AddRange(m.RefLogProbs.Select(ToFloatArray));
        w.DpoLogProbs.AddRange(m.DpoLogProbs.Select(ToNullableFloatArray));
        return w;
    }

    private static Rec.ReferenceScored FromWire(ReferenceScored w)
    {
        // One entry per rollout in both lists: the coordinator indexes them together.
        if (w.DpoLogProbs.Count != w.RefLogProbs.Count)
        {
            throw new ArgumentException($"ReferenceScored has {w.RefLogProbs.Count} reference entries but {w.DpoLogProbs.Count} DPO entries; they must be one per rollout");
        }
        return new(w.RequestId, [.. w.RefLogProbs.Select(a => a.Values.ToArray())], [.. w.DpoLogProbs.Select(FromWire)], TimeSpan.FromTicks(w.ComputeTimeTicks));
    }

    private static SequenceScoresRequested ToWire(Rec.SequenceScoresRequested m)
    {
        var w = new SequenceScoresRequested { RequestId = m.RequestId, Step = m.Step };
        w.Items.AddRange(m.Items.Select(ToWire));
        return w;
    }

    private static Rec.SequenceScoresRequested FromWire(SequenceScoresRequested w) => new(w.RequestId, w.Step, [.. w.Items.Select(FromWire)]);

    private static SequencesScored ToWire(Rec.SequencesScored m)
    {
        var w = new SequencesScored { RequestId = m.RequestId, ComputeTimeTicks = m.ComputeTime.Ticks };
        w.LogProbs.AddRange(m.LogProbs);
        return w;
    }

    private static Rec.SequencesScored FromWire(SequencesScored w) => new(w.RequestId, w.LogProbs.ToArray(), TimeSpan.FromTicks(w.ComputeTimeTicks));

    private static RewardsRequested ToWire(Rec.RewardsRequested m)
    {
        var w = new RewardsRequested { RequestId = m.RequestId, Step = m.Step, WithDemonstrations = m.WithDemonstrations };
        w.Rollouts.AddRange(m.Rollouts.Select(ToWire));
        foreach ((long promptId, double[] rewards) in m.KnownDemoRewards) w.KnownDemoRewards[promptId] = ToDoubleArray(rewards);
        return w;
    }

    private static Rec.RewardsRequested FromWire(RewardsRequested w) => new(w.RequestId, w.Step, [.. w.Rollouts.Select(FromWire)], w.WithDemonstrations,
        w.KnownDemoRewards.ToDictionary(p => p.Key, p => p.Value?.Values.ToArray() ?? throw new ArgumentException($"RewardsRequested has no rewards for known prompt {p.Key}")));

    private static RewardsScored ToWire(Rec.RewardsScored m)
    {
        var w = new RewardsScored
        {
            RequestId = m.RequestId,
            HasDemoRewards = m.DemoRewards is not null,
            ComputeTimeTicks = m.ComputeTime.Ticks,
            DemonstrationsScored = m.DemonstrationsScored,
        };
        w.Rewards.AddRange(m.Rewards.Select(ToDoubleArray));
        if (m.DemoRewards is not null) w.DemoRewards.AddRange(m.DemoRewards.Select(ToDoubleArray));
        return w;
    }

    private static Rec.RewardsScored FromWire(RewardsScored w)
    {
        List<double[]>? demo = null;
        if (w.HasDemoRewards)
        {
            // One entry per rollout, like the rewards: the coordinator indexes them together.
            if (w.DemoRewards.Count != w.Rewards.Count)
            {
                throw new ArgumentException($"RewardsScored has {w.Rewards.Count} reward entries but {w.DemoRewards.Count} demonstration entries; they must be one per rollout");
            }
            demo = [.. w.DemoRewards.Select(a => a.Values.ToArray())];
        }
        else if (w.DemoRewards.Count > 0)
        {
            throw new ArgumentException($"RewardsScored has no demonstration rewards (has_demo_rewards is false) but {w.DemoRewards.Count} demonstration entries");
        }
        return new(w.RequestId, [.. w.Rewards.Select(a => a.Values.ToArray())], demo, TimeSpan.FromTicks(w.ComputeTimeTicks), w.DemonstrationsScored);
    }

    private static TrainingRequested ToWire(Rec.TrainingRequested m) => new() { RequestId = m.RequestId, Step = m.Step, Batch = ToWire(m.Batch) };

    private static Rec.TrainingRequested FromWire(TrainingRequested w) => new(w.RequestId, w.Step, FromWire(Required(w.Batch, "TrainingRequested", "batch")));

    private static PreferenceTrainingRequested ToWire(Rec.PreferenceTrainingRequested m)
    {
        var w = new PreferenceTrainingRequested { RequestId = m.RequestId, Step = m.Step };
        w.Pairs.AddRange(m.Pairs.Select(ToWire));
        return w;
    }

    private static Rec.PreferenceTrainingRequested FromWire(PreferenceTrainingRequested w) => new(w.RequestId, w.Step, [.. w.Pairs.Select(FromWire)]);

    private static PolicyUpdated ToWire(Rec.PolicyUpdated m)
    {
        var w = new PolicyUpdated
        {
            RequestId = m.RequestId,
            Weights = ToWire(m.Weights),
            UpdateTimeTicks = m.UpdateTime.Ticks,
            PublishTimeTicks = m.PublishTime.Ticks,
        };
        AddAll(w.Metrics, m.Metrics);
        return w;
    }

    private static Rec.PolicyUpdated FromWire(PolicyUpdated w) =>
        new(w.RequestId, FromWire(Required(w.Weights, "PolicyUpdated", "weights")), new Dictionary<string, double>(w.Metrics),
            TimeSpan.FromTicks(w.UpdateTimeTicks), TimeSpan.FromTicks(w.PublishTimeTicks));

    private static WeightsRequested ToWire(Rec.WeightsRequested m) => new() { RequestId = m.RequestId, Step = m.Step };

    private static Rec.WeightsRequested FromWire(WeightsRequested w) => new(w.RequestId, w.Step);

    private static WeightsReply ToWire(Rec.WeightsReply m) => new() { RequestId = m.RequestId, Weights = ToWire(m.Weights) };

    private static Rec.WeightsReply FromWire(WeightsReply w) => new(w.RequestId, FromWire(Required(w.Weights, "WeightsReply", "weights")));

    private static PolicySequenceScoresRequested ToWire(Rec.PolicySequenceScoresRequested m)
    {
        var w = new PolicySequenceScoresRequested { RequestId = m.RequestId, Step = m.Step };
        w.Items.AddRange(m.Items.Select(ToWire));
        return w;
    }

    private static Rec.PolicySequenceScoresRequested FromWire(PolicySequenceScoresRequested w) => new(w.RequestId, w.Step, [.. w.Items.Select(FromWire)]);

    private static CheckpointRequested ToWire(Rec.CheckpointRequested m)
    {
        var w = new CheckpointRequested { RequestId = m.RequestId, Step = m.Step, Directory = m.Directory };
        AddAll(w.State, m.State);
        return w;
    }

    private static Rec.CheckpointRequested FromWire(CheckpointRequested w) => new(w.RequestId, w.Step, w.Directory, new Dictionary<string, string>(w.State));

    private static CheckpointWritten ToWire(Rec.CheckpointWritten m) => new() { RequestId = m.RequestId, Directory = m.Directory };

    private static Rec.CheckpointWritten FromWire(CheckpointWritten w) => new(w.RequestId, w.Directory);

    // ---- The values inside them ----

    private static GenerationOptions ToWire(Inf.GenerationOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        var w = new GenerationOptions
        {
            MaxNewTokens = o.MaxNewTokens,
            Temperature = o.Temperature,
            TopK = o.TopK,
            TopP = o.TopP,
            UseKvCache = o.UseKvCache,
        };
        w.StopTokens.AddRange(o.StopTokens);
        if (o.Seed is ulong seed) w.Seed = seed;
        return w;
    }

    // Not validated here (GenerationOptions.Validate): the rollout worker refuses invalid options as it does locally.
    private static Inf.GenerationOptions FromWire(GenerationOptions w) => new()
    {
        MaxNewTokens = w.MaxNewTokens,
        Temperature = w.Temperature,
        TopK = w.TopK,
        TopP = w.TopP,
        StopTokens = w.StopTokens.ToArray(),
        UseKvCache = w.UseKvCache,
        Seed = w.HasSeed ? w.Seed : null,
    };

    private static RolloutPrompt ToWire(Mdl.RolloutPrompt p)
    {
        var w = new RolloutPrompt { SampleId = p.SampleId, PromptId = p.PromptId };
        w.Tokens.AddRange(p.Tokens);
        return w;
    }

    private static Mdl.RolloutPrompt FromWire(RolloutPrompt w) => new(w.SampleId, w.PromptId, w.Tokens.ToArray());

    private static Rollout ToWire(Mdl.Rollout r)
    {
        var w = new Rollout
        {
            SampleId = r.SampleId,
            PromptId = r.PromptId,
            PolicyVersion = r.PolicyVersion,
            Finish = r.Finish switch
            {
                Inf.FinishReason.Stop => FinishReason.Stop,
                Inf.FinishReason.Length => FinishReason.Length,
                _ => throw new ArgumentException($"the rollout of sample {r.SampleId} has an unknown finish reason {r.Finish}"),
            },
        };
        w.Prompt.AddRange(r.Prompt);
        w.Response.AddRange(r.Response);
        w.LogProbs.AddRange(r.LogProbs);
        w.Values.AddRange(r.Values);
        return w;
    }

    private static Mdl.Rollout FromWire(Rollout w)
    {
        Inf.FinishReason finish = w.Finish switch
        {
            FinishReason.Stop => Inf.FinishReason.Stop,
            FinishReason.Length => Inf.FinishReason.Length,
            _ => throw new ArgumentException($"the rollout of sample {w.SampleId} has an unknown finish reason {(int)w.Finish}"),
        };
        int tokens = w.Response.Count;
        if (w.LogProbs.Count != tokens)
        {
            throw new ArgumentException($"the rollout of sample {w.SampleId} has {w.LogProbs.Count} log-probabilities for {tokens} response tokens");
        }
        if (w.Values.Count != 0 && w.Values.Count != tokens)
        {
            throw new ArgumentException($"the rollout of sample {w.SampleId} has {w.Values.Count} values for {tokens} response tokens (must be {tokens} or none)");
        }
        return new(w.SampleId, w.PromptId, w.Prompt.ToArray(), w.Response.ToArray(), w.LogProbs.ToArray(), w.Values.ToArray(), w.PolicyVersion, finish);
    }

    private static TensorBytes ToWire(Mdl.TensorBytes t)
    {
        // The snapshot's bytes are wrapped, not copied: a snapshot is immutable once captured.
        var w = new TensorBytes { Name = t.Name, Dtype = (ScalarType)(int)t.DType, Data = UnsafeByteOperations.UnsafeWrap(t.Data) };
        w.Shape.AddRange(t.Shape);
        return w;
    }

    private static Mdl.TensorBytes FromWire(TensorBytes w)
    {
        var dtype = (Tns.ScalarType)(int)w.Dtype;
        if (!Enum.IsDefined(dtype)) throw new ArgumentException($"tensor '{w.Name}' has an unknown dtype {(int)w.Dtype}");
        long[] shape = w.Shape.ToArray();
        string dims = $"[{string.Join(", ", shape)}]";
        long elements = 1;
        foreach (long d in shape)
        {
            if (d < 0) throw new ArgumentException($"tensor '{w.Name}' has a negative dimension in its shape {dims}");
            if (d != 0 && elements > long.MaxValue / d) throw new ArgumentException($"tensor '{w.Name}' has a shape {dims} too large to address");
            elements *= d;
        }
        int size = Tns.ScalarTypes.ElementSize(dtype);
        if (elements > long.MaxValue / size) throw new ArgumentException($"tensor '{w.Name}' has a shape {dims} too large to address");
        long expected = elements * size;
        if (w.Data.Length != expected)
        {
            throw new ArgumentException(
                $"tensor '{w.Name}' ({dtype} {dims}) has {w.Data.Length} bytes of data, not {expected} ({elements} elements of {size} bytes)");
        }
        // A copy: what the ByteString holds is not ours to keep.
        return new(w.Name, dtype, shape, w.Data.ToByteArray());
    }

    private static WeightsSnapshot ToWire(Mdl.WeightsSnapshot s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var w = new WeightsSnapshot { Version = s.Version };
        w.Tensors.AddRange(s.Tensors.Select(ToWire));
        return w;
    }

    private static Mdl.WeightsSnapshot FromWire(WeightsSnapshot w) => new(w.Version, [.. w.Tensors.Select(FromWire)]);

    private static TrainingSample ToWire(Mdl.TrainingSample s)
    {
        var w = new TrainingSample { SampleId = s.SampleId, HasSpanIds = s.SpanIds is not null };
        w.Prompt.AddRange(s.Prompt);
        w.Response.AddRange(s.Response);
        w.OldLogProbs.AddRange(s.OldLogProbs);
        w.OldValues.AddRange(s.OldValues);
        w.Advantages.AddRange(s.Advantages);
        w.Returns.AddRange(s.Returns);
        w.RefLogProbs.AddRange(s.RefLogProbs);
        if (s.SpanIds is not null) w.SpanIds.AddRange(s.SpanIds);
        return w;
    }

    private static Mdl.TrainingSample FromWire(TrainingSample w)
    {
        int tokens = w.Response.Count;
        void PerToken(string name, int count, bool mayBeEmpty)
        {
            if (count != tokens && !(mayBeEmpty && count == 0))
            {
                throw new ArgumentException(
                    $"training sample {w.SampleId} has {count} {name} for {tokens} response tokens{(mayBeEmpty ? $" (must be {tokens} or none)" : "")}");
            }
        }
        PerToken("old log-probabilities", w.OldLogProbs.Count, false);
        PerToken("old values", w.OldValues.Count, true);
        PerToken("advantages", w.Advantages.Count, false);
        PerToken("returns", w.Returns.Count, true);
        PerToken("reference log-probabilities", w.RefLogProbs.Count, false);
        int[]? spanIds = null;
        if (w.HasSpanIds)
        {
            PerToken("span ids", w.SpanIds.Count, false);
            spanIds = w.SpanIds.ToArray();
        }
        else if (w.SpanIds.Count > 0)
        {
            throw new ArgumentException($"training sample {w.SampleId} has no span ids (has_span_ids is false) but {w.SpanIds.Count} of them");
        }
        return new(w.SampleId, w.Prompt.ToArray(), w.Response.ToArray(), w.OldLogProbs.ToArray(), w.OldValues.ToArray(), w.Advantages.ToArray(),
            w.Returns.ToArray(), w.RefLogProbs.ToArray(), spanIds);
    }

    private static TrainingBatch ToWire(Mdl.TrainingBatch b)
    {
        ArgumentNullException.ThrowIfNull(b);
        var w = new TrainingBatch { BatchId = b.BatchId };
        w.Samples.AddRange(b.Samples.Select(ToWire));
        AddAll(w.Metrics, b.Metrics);
        return w;
    }

    private static Mdl.TrainingBatch FromWire(TrainingBatch w) => new(w.BatchId, [.. w.Samples.Select(FromWire)], new Dictionary<string, double>(w.Metrics));

    private static PreferenceSample ToWire(Mdl.PreferenceSample p)
    {
        var w = new PreferenceSample { PairId = p.PairId, RefChosen = p.RefChosen, RefRejected = p.RefRejected, Weight = p.Weight };
        w.Prompt.AddRange(p.Prompt);
        w.Chosen.AddRange(p.Chosen);
        w.Rejected.AddRange(p.Rejected);
        return w;
    }

    private static Mdl.PreferenceSample FromWire(PreferenceSample w) =>
        new(w.PairId, w.Prompt.ToArray(), w.Chosen.ToArray(), w.Rejected.ToArray(), w.RefChosen, w.RefRejected, w.Weight);

    private static SequencePair ToWire(Rec.SequencePair p)
    {
        var w = new SequencePair();
        w.Prompt.AddRange(p.Prompt);
        w.Response.AddRange(p.Response);
        return w;
    }

    private static Rec.SequencePair FromWire(SequencePair w) => new(w.Prompt.ToArray(), w.Response.ToArray());

    private static FloatArray ToFloatArray(float[] values)
    {
        var w = new FloatArray();
        w.Values.AddRange(values);
        return w;
    }

    private static NullableFloatArray ToNullableFloatArray(float[]? values)
    {
        var w = new NullableFloatArray { Present = values is not null };
        if (values is not null) w.Values.AddRange(values);
        return w;
    }

    private static float[]? FromWire(NullableFloatArray w)
    {
        if (w.Present) return w.Values.ToArray();
        if (w.Values.Count > 0) throw new ArgumentException($"a null float array (present is false) has {w.Values.Count} values");
        return null;
    }

    private static DoubleArray ToDoubleArray(double[] values)
    {
        var w = new DoubleArray();
        w.Values.AddRange(values);
        return w;
    }

    private static T Required<T>(T? part, string message, string field) where T : class =>
        part ?? throw new ArgumentException($"{message} has no {field}");

    private static void AddAll<TValue>(MapField<string, TValue> map, IReadOnlyDictionary<string, TValue> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        foreach (var (key, value) in values) map[key] = value;
    }
}

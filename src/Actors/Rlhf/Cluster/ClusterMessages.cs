using ActorRL.Actors.Cluster;
using ActorRL.Actors.Rlhf.Wire;
using Google.Protobuf;
using W = ActorRL.Actors.Rlhf.Cluster.Wire;

namespace ActorRL.Actors.Rlhf.Cluster;

/// <summary>What a node needs to create a role of the run (see <c>rlhf_cluster.proto</c>).</summary>
/// <param name="StageDirs">The stages' checkpoints, by stage, on the run directory every node shares.</param>
/// <param name="ResumeFrom">The RL checkpoint the run continues from, or null.</param>
/// <param name="ConfigSha256">The hash of the configuration the coordinator runs; a node with another one refuses.</param>
public sealed record RoleSetupInfo(IReadOnlyDictionary<string, string> StageDirs, string? ResumeFrom, string ConfigSha256);

/// <summary>A message for incarnation <paramref name="Incarnation"/> of <paramref name="Slot"/> on a node's role host.</summary>
public sealed record ToRole(string Slot, string Role, int Incarnation, RoleSetupInfo Setup, object Message);

/// <summary>Stop incarnation <paramref name="Incarnation"/> of <paramref name="Slot"/> on a node's role host.</summary>
public sealed record StopRole(string Slot, int Incarnation);

/// <summary>A chunk of generation on the durable generation queue; its result goes to the results queue.</summary>
/// <param name="Setup">What the rollout worker is made from.</param>
/// <param name="Request">The chunk.</param>
/// <param name="ReplyTo">The full path of the coordinator that asked.</param>
/// <param name="WeightsTopic">The weights topic of the run's attempt that asked (each attempt publishes its own
/// versions, so a version of an attempt that died never reaches the workers of the next).</param>
public sealed record GenerationWork(RoleSetupInfo Setup, RolloutRequested Request, string ReplyTo, string WeightsTopic);

/// <summary>A chunk's result (<see cref="RolloutsGenerated"/> or <see cref="RoleFailed"/>) on the durable results queue.</summary>
public sealed record GenerationResult(string ReplyTo, string RolloutNode, RoleReply Reply);

/// <summary>A client asks the run's manager to start or continue the run and to keep it informed.</summary>
/// <param name="ConfigSha256">The client's configuration; the cluster refuses another one.</param>
/// <param name="Client">The client's full actor path.</param>
public sealed record RunWanted(string ConfigSha256, string Client);

/// <summary>How the run goes: a stage started or a step completed.</summary>
public sealed record RunProgress(string Stage, long Step, long Steps, long PolicyVersion, IReadOnlyDictionary<string, double> Metrics, string CoordinatorNode);

/// <summary>The run ended; <paramref name="Error"/> is empty unless it failed.</summary>
public sealed record RunEnded(long StepsCompleted, string Checkpoint, bool Cancelled, string Error, string CoordinatorNode);

/// <summary>The wire mapping of the cluster run's own messages (ids 200..219, fixed: part of the wire protocol), and of
/// everything a node of an RLHF cluster sends (<see cref="RlhfWire"/> included).</summary>
public static class RlhfClusterWire
{
    //   200 ToRole   201 StopRole   202 GenerationWork   203 GenerationResult   204 RunWanted   205 RunProgress   206 RunEnded

    /// <summary>A registry with every message a node of an RLHF cluster sends or receives.</summary>
    public static WireRegistry Create()
    {
        var wire = new WireRegistry();
        RlhfWire.Register(wire);
        // Nested messages are serialized through the same registry: no type is named on the wire, only ids.
        wire.Map<ToRole, W.ToRole>(200, m =>
        {
            (uint id, byte[] payload) = wire.Serialize(m.Message, int.MaxValue);
            return new W.ToRole
            {
                Slot = m.Slot,
                Role = m.Role,
                Incarnation = m.Incarnation,
                Setup = ToWire(m.Setup),
                TypeId = id,
                Payload = UnsafeByteOperations.UnsafeWrap(payload),
            };
        }, w => new ToRole(w.Slot, w.Role, w.Incarnation, FromWire(w.Setup), wire.Deserialize(w.TypeId, w.Payload.Memory)));
        wire.Map<StopRole, W.StopRole>(201, m => new W.StopRole { Slot = m.Slot, Incarnation = m.Incarnation }, w => new StopRole(w.Slot, w.Incarnation));
        wire.Map<GenerationWork, W.GenerationWork>(202, m =>
        {
            (uint id, byte[] payload) = wire.Serialize(m.Request, int.MaxValue);
            return new W.GenerationWork
            {
                Setup = ToWire(m.Setup),
                TypeId = id,
                Request = UnsafeByteOperations.UnsafeWrap(payload),
                ReplyTo = m.ReplyTo,
                WeightsTopic = m.WeightsTopic,
            };
        }, w => new GenerationWork(FromWire(w.Setup), Nested<RolloutRequested>(wire, w.TypeId, w.Request), w.ReplyTo, w.WeightsTopic));
        wire.Map<GenerationResult, W.GenerationResult>(203, m =>
        {
            (uint id, byte[] payload) = wire.Serialize(m.Reply, int.MaxValue);
            return new W.GenerationResult { ReplyTo = m.ReplyTo, RolloutNode = m.RolloutNode, TypeId = id, Reply = UnsafeByteOperations.UnsafeWrap(payload) };
        }, w => new GenerationResult(w.ReplyTo, w.RolloutNode, Nested<RoleReply>(wire, w.TypeId, w.Reply)));
        wire.Map<RunWanted, W.RunWanted>(204, m => new W.RunWanted { ConfigSha256 = m.ConfigSha256, Client = m.Client }, w => new RunWanted(w.ConfigSha256, w.Client));
        wire.Map<RunProgress, W.RunProgress>(205, m =>
        {
            var w = new W.RunProgress { Stage = m.Stage, Step = m.Step, Steps = m.Steps, PolicyVersion = m.PolicyVersion, CoordinatorNode = m.CoordinatorNode };
            foreach (var (name, value) in m.Metrics) w.Metrics[name] = value;
            return w;
        }, w => new RunProgress(w.Stage, w.Step, w.Steps, w.PolicyVersion, new Dictionary<string, double>(w.Metrics), w.CoordinatorNode));
        wire.Map<RunEnded, W.RunEnded>(206, m => new W.RunEnded
        {
            StepsCompleted = m.StepsCompleted,
            Checkpoint = m.Checkpoint,
            Cancelled = m.Cancelled,
            Error = m.Error,
            CoordinatorNode = m.CoordinatorNode,
        }, w => new RunEnded(w.StepsCompleted, w.Checkpoint, w.Cancelled, w.Error, w.CoordinatorNode));
        return wire;
    }

    private static T Nested<T>(WireRegistry wire, uint id, ByteString payload) =>
        wire.Deserialize(id, payload.Memory) is T message ? message
            : throw new ArgumentException($"wire id {id} is not a {typeof(T).Name}");

    private static W.RoleSetupInfo ToWire(RoleSetupInfo setup)
    {
        var w = new W.RoleSetupInfo { ResumeFrom = setup.ResumeFrom ?? "", ConfigSha256 = setup.ConfigSha256 };
        foreach (var (stage, dir) in setup.StageDirs) w.StageDirs[stage] = dir;
        return w;
    }

    private static RoleSetupInfo FromWire(W.RoleSetupInfo? w) => w is null
        ? throw new ArgumentException("the role setup is missing")
        : new RoleSetupInfo(new Dictionary<string, string>(w.StageDirs), w.ResumeFrom.Length == 0 ? null : w.ResumeFrom, w.ConfigSha256);
}

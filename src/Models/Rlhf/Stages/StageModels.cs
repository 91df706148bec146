using System.Text.Json.Nodes;
using ActorRL.Models.Checkpoints;
using ActorRL.Models.Nn;
using ActorRL.Models.Tensors;

namespace ActorRL.Models.Rlhf.Stages;

/// <summary>The mean and standard deviation the reward model's targets were standardized with; its scores are in those units.</summary>
/// <param name="Mean">Mean of the raw targets.</param>
/// <param name="Std">Their standard deviation (population), 1 when they were all equal.</param>
public sealed record RewardNormalization(double Mean, double Std)
{
    /// <summary>A raw target in standard units: (target − mean) / std, what the model is trained to output.</summary>
    public double Normalize(double target) => (target - Mean) / Std;

    /// <summary>A score back in the raw targets' units.</summary>
    public double Denormalize(double score) => score * Std + Mean;

    /// <summary>The normalization of <paramref name="targets"/>: their mean and population standard deviation (1 if 0).</summary>
    public static RewardNormalization Of(IReadOnlyCollection<double> targets)
    {
        ArgumentNullException.ThrowIfNull(targets);
        if (targets.Count == 0) throw new ArgumentException("no targets to normalize", nameof(targets));
        double mean = targets.Average();
        double std = Math.Sqrt(targets.Sum(t => (t - mean) * (t - mean)) / targets.Count);
        return new RewardNormalization(mean, std > 0 ? std : 1);
    }
}

/// <summary>Models built from stage checkpoints (<see cref="SftStage"/>, <see cref="DpoStage"/>, <see cref="RewardModelStage"/>).</summary>
public static class StageModels
{
    /// <summary>The trunk's parameter prefix, shared by the policy and the reward model.</summary>
    public const string TrunkPrefix = "transformer.";

    /// <summary>The value head's parameter prefix.</summary>
    public const string ValueHeadPrefix = "value_head.";

    /// <summary>
    /// A policy with the weights of the checkpoint in <paramref name="dir"/>. With <paramref name="withValueHead"/>, a
    /// value head saved in the checkpoint is restored; when the checkpoint has none (an SFT or DPO model) the head keeps
    /// its fresh initialization. A saved value head is ignored when none is asked for.
    /// </summary>
    /// <exception cref="ArgumentException">A trunk parameter is missing, the checkpoint holds one the policy cannot take,
    /// or a shape differs.</exception>
    /// <exception cref="CheckpointCorruptException">The checkpoint does not verify.</exception>
    public static CausalLM LoadPolicy(string dir, GptConfig config, bool withValueHead, Device? device = null)
    {
        var policy = new CausalLM(config, withValueHead);
        try
        {
            using LoadedCheckpoint loaded = Checkpoint.Load(dir);
            HashSet<string> ignored = withValueHead ? [] : loaded.Weights.Keys.Where(k => k.StartsWith(ValueHeadPrefix, StringComparison.Ordinal)).ToHashSet();
            var optional = policy.NamedParameters().Select(p => p.Name).Where(n => n.StartsWith(ValueHeadPrefix, StringComparison.Ordinal)).ToHashSet();
            CopyParameters(policy, loaded.Weights, optional, ignored, dir);
            if (device is { } d) policy.To(d);
            return policy;
        }
        catch
        {
            policy.Dispose();
            throw;
        }
    }

    /// <summary>The reward model saved by <see cref="RewardModelStage"/> in <paramref name="dir"/>.</summary>
    /// <exception cref="ArgumentException">The checkpoint does not fit the model.</exception>
    /// <exception cref="CheckpointCorruptException">The checkpoint does not verify.</exception>
    public static RewardModel LoadRewardModel(string dir, GptConfig config, Device? device = null)
    {
        var model = new RewardModel(config);
        try
        {
            using LoadedCheckpoint loaded = Checkpoint.Load(dir);
            loaded.RestoreModel(model);
            if (device is { } d) model.To(d);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The normalization of the targets the reward model in <paramref name="dir"/> was trained on (its <c>trainer.json</c>).</summary>
    /// <exception cref="InvalidDataException">The checkpoint records no normalization.</exception>
    public static RewardNormalization LoadRewardNormalization(string dir)
    {
        using LoadedCheckpoint loaded = Checkpoint.Load(dir);
        return ReadNormalization(loaded.TrainerState, dir);
    }

    /// <summary>The normalization recorded in a reward model's trainer state.</summary>
    internal static RewardNormalization ReadNormalization(JsonNode? trainer, string dir)
    {
        if (trainer?["target_mean"] is JsonValue mean && trainer["target_std"] is JsonValue std
            && mean.TryGetValue(out double m) && std.TryGetValue(out double s) && s > 0)
        {
            return new RewardNormalization(m, s);
        }
        throw new InvalidDataException($"checkpoint {dir} records no reward target normalization (trainer.json target_mean, target_std)");
    }

    /// <summary>
    /// Copies into <paramref name="model"/> every trunk parameter (<c>transformer.*</c>) of <paramref name="weights"/>,
    /// leaving its other parameters (a reward model's <c>score</c>) as they are.
    /// </summary>
    /// <exception cref="ArgumentException">A trunk parameter is missing or has another shape.</exception>
    public static void LoadTrunk(Module model, IReadOnlyDictionary<string, Tensor> weights, string source)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(weights);
        var optional = model.NamedParameters().Select(p => p.Name).Where(n => !n.StartsWith(TrunkPrefix, StringComparison.Ordinal)).ToHashSet();
        var ignored = weights.Keys.Where(k => !k.StartsWith(TrunkPrefix, StringComparison.Ordinal)).ToHashSet();
        CopyParameters(model, weights, optional, ignored, source);
    }

    /// <summary>
    /// Copies weights by name. Unlike <see cref="Module.LoadParameters"/>, which needs the names to match exactly,
    /// parameters in <paramref name="optional"/> may be absent (they keep their values) and names in
    /// <paramref name="ignored"/> are skipped; any other missing or unexpected name, or another shape, is an error,
    /// checked before anything is copied.
    /// </summary>
    private static void CopyParameters(Module model, IReadOnlyDictionary<string, Tensor> weights, IReadOnlySet<string> optional,
        IReadOnlySet<string> ignored, string source)
    {
        var named = model.NamedParameters();
        var missing = named.Where(p => !weights.ContainsKey(p.Name) && !optional.Contains(p.Name)).Select(p => p.Name).ToList();
        if (missing.Count > 0) throw new ArgumentException($"{source} holds no values for parameter(s): {string.Join(", ", missing)}");
        var expected = named.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var unexpected = weights.Keys.Where(k => !expected.Contains(k) && !ignored.Contains(k)).ToList();
        if (unexpected.Count > 0) throw new ArgumentException($"{source} holds parameter(s) the model lacks: {string.Join(", ", unexpected)}");
        var copies = new List<(Tensor Target, Tensor Value)>();
        foreach (var (name, tensor) in named)
        {
            if (!weights.TryGetValue(name, out Tensor? value)) continue;
            if (!value.Shape.AsSpan().SequenceEqual(tensor.Shape))
            {
                throw new ArgumentException($"{source}: parameter {name} is [{string.Join(", ", value.Shape)}] but the model's is [{string.Join(", ", tensor.Shape)}]");
            }
            copies.Add((tensor, value));
        }
        using var noGrad = NoGradScope.Enter();
        foreach (var (target, value) in copies) target.CopyInPlace(value);
    }
}

using System.Text.Json.Nodes;
using ActorRL.Models.Checkpoints;
using ActorRL.Models.Nn;
using ActorRL.Models.Tensors;
using ActorRL.Models.Training;

namespace ActorRL.Models.Rlhf;

/// <summary>What a learner checkpoint restored besides the weights and the optimizer.</summary>
/// <param name="Step">The coordinator's step saved with it.</param>
/// <param name="Version">The policy version.</param>
/// <param name="Extra">The caller's strings saved with it (empty when none).</param>
public sealed record LearnerCheckpoint(long Step, long Version, IReadOnlyDictionary<string, string> Extra)
{
    /// <summary>The learner state of the checkpoint in <paramref name="dir"/>, read from its trainer file alone (no tensors).</summary>
    /// <exception cref="ArgumentException">It holds no learner state.</exception>
    public static LearnerCheckpoint Read(string dir) =>
        Parse(JsonNode.Parse(File.ReadAllText(Path.Combine(dir, Checkpoint.TrainerFileName))), dir);

    internal static LearnerCheckpoint Parse(JsonNode? state, string dir)
    {
        if (state is null) throw new ArgumentException($"checkpoint {dir} holds no trainer state", nameof(dir));
        long step = state["step"]?.GetValue<long>() ?? throw new ArgumentException($"checkpoint {dir} has no step", nameof(dir));
        long version = state["version"]?.GetValue<long>() ?? throw new ArgumentException($"checkpoint {dir} has no policy version", nameof(dir));
        var extra = new Dictionary<string, string>(StringComparer.Ordinal);
        if (state["extra"] is JsonObject saved)
        {
            foreach (var (key, value) in saved) extra[key] = value?.GetValue<string>() ?? "";
        }
        return new LearnerCheckpoint(step, version, extra);
    }
}

/// <summary>
/// The learner role's model side: the trained policy (with its value head) and its AdamW. <see cref="Train"/> runs the
/// objective's loss over sequential minibatches for some epochs, one optimizer step per minibatch (gradients clipped),
/// and advances <see cref="Version"/>; <see cref="Snapshot"/> publishes the weights; checkpoints carry weights,
/// optimizer, random generators and {step, version}.
/// </summary>
public sealed class PolicyLearner : IDisposable
{
    private readonly double gradClip;
    private LearnerRollback? rollback;

    /// <summary>Creates the learner; it owns <paramref name="policy"/>.</summary>
    /// <param name="policy">The policy to train (with a value head for the PPO family).</param>
    /// <param name="lr">AdamW's learning rate.</param>
    /// <param name="weightDecay">Decoupled weight decay of the weight matrices (biases and norms never decay).</param>
    /// <param name="gradClip">Global gradient-norm limit; 0 turns clipping off.</param>
    public PolicyLearner(CausalLM policy, double lr, double weightDecay = 0.0, double gradClip = 1.0)
    {
        Policy = policy ?? throw new ArgumentNullException(nameof(policy));
        if (!(lr > 0) || double.IsInfinity(lr)) throw new ArgumentOutOfRangeException(nameof(lr), lr, "the learning rate must be positive");
        if (!(weightDecay >= 0)) throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "the weight decay must be >= 0");
        if (!(gradClip >= 0)) throw new ArgumentOutOfRangeException(nameof(gradClip), gradClip, "the gradient clip must be >= 0");
        this.gradClip = gradClip;
        Optimizer = new AdamW(OptimizerGroups.DecayMatricesOnly(policy, lr, weightDecay));
    }

    /// <summary>The policy being trained.</summary>
    public CausalLM Policy { get; }

    /// <summary>The optimizer.</summary>
    public AdamW Optimizer { get; }

    /// <summary>The policy version: 0 at creation, +1 per <see cref="Train"/>.</summary>
    public long Version { get; private set; }

    /// <summary>The coordinator's step of the last checkpoint saved or loaded (0 before any).</summary>
    public long Step { get; private set; }

    /// <summary>
    /// Trains on <paramref name="batch"/>: for each epoch, the samples in order in minibatches of
    /// <paramref name="miniBatchSize"/> (the last may be smaller), each one zero-grad, loss, backward, clip, step.
    /// </summary>
    /// <returns>The objective's figures averaged over the optimizer steps, plus grad_norm (mean pre-clip norm),
    /// tokens (response tokens of the batch), steps and version.</returns>
    public IReadOnlyDictionary<string, double> Train(TrainingBatch batch, IRlObjective objective, int epochs, int miniBatchSize)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(objective);
        ArgumentOutOfRangeException.ThrowIfLessThan(epochs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(miniBatchSize, 1);
        if (batch.Samples.Count == 0) throw new ArgumentException("the batch has no samples", nameof(batch));

        var minibatches = new List<Func<ObjectiveLoss>>();
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            for (int start = 0; start < batch.Samples.Count; start += miniBatchSize)
            {
                var minibatch = batch.Samples.Skip(start).Take(miniBatchSize).ToList();
                minibatches.Add(() => objective.Loss(Policy, minibatch));
            }
        }
        var metrics = Optimize(minibatches);
        metrics["tokens"] = batch.Samples.Sum(s => (double)s.Response.Length);
        return metrics;
    }

    /// <summary>
    /// One optimizer step on weighted preference pairs (DPO, ROPO) with the objective's loss, and advances
    /// <see cref="Version"/>.
    /// </summary>
    /// <returns>The objective's figures plus grad_norm, tokens (chosen and rejected response tokens), steps and version.</returns>
    public IReadOnlyDictionary<string, double> TrainPreferences(IReadOnlyList<PreferenceSample> pairs, IPreferenceObjective objective, int padId)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentNullException.ThrowIfNull(objective);
        if (pairs.Count == 0) throw new ArgumentException("no preference pairs to train on", nameof(pairs));
        var metrics = Optimize([() => objective.Loss(Policy, pairs, padId)]);
        metrics["tokens"] = pairs.Sum(p => (double)(p.Chosen.Length + p.Rejected.Length));
        return metrics;
    }

    /// <summary>
    /// Whether the last update has not been committed yet: <see cref="RollBackUpdate"/> can still undo it. Each update
    /// keeps a copy of the learner's state from before it (parameters and AdamW moments) until
    /// <see cref="CommitUpdate"/> or the next update.
    /// </summary>
    public bool UpdatePending => rollback is not null;

    /// <summary>Drops the copy of the state from before the last update: it is published and will not be undone.</summary>
    public void CommitUpdate()
    {
        rollback?.Dispose();
        rollback = null;
    }

    /// <summary>
    /// Undoes the last uncommitted update (one that failed part-way, or whose result was lost): parameters, AdamW's
    /// steps and moments, and <see cref="Version"/> return to what they were before it.
    /// </summary>
    /// <returns>Whether there was an update to undo.</returns>
    public bool RollBackUpdate()
    {
        if (rollback is not { } undo) return false;
        undo.Restore(Optimizer);
        Version = undo.Version;
        CommitUpdate();
        return true;
    }

    // Each loss: zero-grad, backward, clip, step; then one new version. Figures are averaged over the steps. A loss or a
    // gradient norm that is not finite stops the update before it steps on it, and the update is undone.
    private Dictionary<string, double> Optimize(IReadOnlyList<Func<ObjectiveLoss>> losses)
    {
        CommitUpdate();
        rollback = LearnerRollback.Capture(Policy, Optimizer, Version);
        Policy.Train();
        Tensor[] parameters = [.. Policy.Parameters()];
        var sums = new Dictionary<string, double>(StringComparer.Ordinal);
        try
        {
            for (int i = 0; i < losses.Count; i++)
            {
                using var scope = new DisposeScope();
                Optimizer.ZeroGrad();
                ObjectiveLoss loss = losses[i]();
                double value = loss.Loss.ToDouble();
                if (!double.IsFinite(value)) throw NonFinite($"the loss is {value}", i, losses.Count, loss.Metrics);
                loss.Loss.Backward();
                // An infinite limit measures the norm without scaling anything.
                double norm = Torch.ClipGradNorm(parameters, gradClip > 0 ? gradClip : double.PositiveInfinity);
                if (!double.IsFinite(norm)) throw NonFinite($"the gradient norm is {norm} (loss {value:G6})", i, losses.Count, loss.Metrics);
                Optimizer.Step();
                AfterOptimizerStep?.Invoke(i);
                foreach (var (name, metric) in loss.Metrics) sums[name] = sums.GetValueOrDefault(name) + metric;
                sums["grad_norm"] = sums.GetValueOrDefault("grad_norm") + norm;
            }
        }
        catch
        {
            RollBackUpdate();
            throw;
        }
        Optimizer.ZeroGrad();
        Version++;
        var metrics = sums.ToDictionary(kv => kv.Key, kv => kv.Value / losses.Count, StringComparer.Ordinal);
        metrics["steps"] = losses.Count;
        metrics["version"] = Version;
        return metrics;
    }

    /// <summary>Called after each optimizer step of an update with the step's index (fault drills: a failure mid-update).</summary>
    public Action<int>? AfterOptimizerStep { get; set; }

    private NonFiniteUpdateException NonFinite(string what, int index, int count, IReadOnlyDictionary<string, double> metrics) => new(
        $"{what} in minibatch {index + 1} of {count} of the update to policy version {Version + 1}; nothing was stepped on it and the update "
        + $"was undone (the policy stays at version {Version}). Its figures: "
        + string.Join(", ", metrics.Select(m => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{m.Key} {m.Value:G6}"))));

    /// <summary>The current weights, at <see cref="Version"/>.</summary>
    public WeightsSnapshot Snapshot() => WeightsSnapshot.Capture(Policy, Version);

    /// <summary>Saves weights, optimizer, random generators and {step, version, extra} to <paramref name="dir"/>, which must not exist.</summary>
    public void SaveCheckpoint(string dir, long step, IReadOnlyDictionary<string, string>? extra = null)
    {
        var extraJson = new JsonObject();
        foreach (var (key, value) in extra ?? new Dictionary<string, string>()) extraJson[key] = value;
        Checkpoint.Save(dir, new CheckpointContents
        {
            Model = Policy,
            Optimizer = Optimizer,
            TrainerState = new JsonObject { ["step"] = step, ["version"] = Version, ["extra"] = extraJson },
        });
        Step = step;
    }

    /// <summary>Restores weights, optimizer, random generators, step and version from a checkpoint of <see cref="SaveCheckpoint"/>.</summary>
    /// <exception cref="CheckpointCorruptException">The checkpoint does not verify.</exception>
    /// <exception cref="ArgumentException">It does not fit this policy, or lacks the learner's state.</exception>
    public LearnerCheckpoint LoadCheckpoint(string dir)
    {
        CommitUpdate();
        using LoadedCheckpoint loaded = Checkpoint.Load(dir);
        LearnerCheckpoint state = LearnerCheckpoint.Parse(loaded.TrainerState, loaded.Directory);
        loaded.RestoreModel(Policy);
        loaded.RestoreOptimizer(Optimizer, Policy);
        if (loaded.HasRngState) loaded.RestoreRng();
        (Step, Version) = (state.Step, state.Version);
        return state;
    }

    /// <summary>
    /// A learner over <paramref name="policy"/> resumed from the checkpoint in <paramref name="dir"/>, going on with the
    /// learning rate <paramref name="lr"/> (which may differ from the checkpoint's: a run that diverged continues with a
    /// smaller one).
    /// </summary>
    public static PolicyLearner Resume(string dir, CausalLM policy, double lr, double weightDecay = 0.0, double gradClip = 1.0)
    {
        var learner = new PolicyLearner(policy, lr, weightDecay, gradClip);
        try
        {
            learner.LoadCheckpoint(dir);
            for (int g = 0; g < learner.Optimizer.Groups.Count; g++) learner.Optimizer.SetLearningRate(g, lr);
            return learner;
        }
        catch
        {
            learner.Optimizer.Dispose();
            throw;
        }
    }

    /// <summary>Frees the optimizer state and the policy.</summary>
    public void Dispose()
    {
        CommitUpdate();
        Optimizer.Dispose();
        Policy.Dispose();
    }
}

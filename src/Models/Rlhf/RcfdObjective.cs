using ActorRL.Models.Nn;
using ActorRL.Models.Objectives;

namespace ActorRL.Models.Rlhf;

/// <summary>
/// RCfD (OBJECTIVES.md, "RCfD"): the sequence reward is the calibrated reward R_CfD = Σ_i whiten(−(R_i(x, y) −
/// R_i(x, y_d))²) over the batch (<see cref="Rcfd.Rewards(ReadOnlySpan{double}, ReadOnlySpan{double}, int, RcfdOptions)"/>),
/// put on the last token of a PPO update with <see cref="RcfdOptions.Ppo"/> (no KL penalty and ε = 0.3 by default).
/// </summary>
/// <remarks>
/// With <see cref="RcfdOptions.LengthReward"/> this objective appends the length model R_len = −|y| itself, to the
/// policy's rewards (−|y|) and to the demonstration's (−|y_d|, the length of the task's demonstration), so the reward
/// role must not add it as well.
/// </remarks>
public sealed class RcfdObjective : IRlObjective
{
    private readonly IRlTask? task;
    private readonly Dictionary<long, int> demonstrationLengths = [];

    /// <summary>Creates the objective; <paramref name="task"/> supplies demonstration lengths for the length reward.</summary>
    public RcfdObjective(RcfdOptions options, IRlTask? task = null)
    {
        Options = options ?? throw new ArgumentNullException(nameof(options));
        options.Validate();
        if (options.LengthReward && task is null) throw new ArgumentException("the length reward needs the task's demonstrations", nameof(task));
        this.task = task;
    }

    /// <summary>The settings.</summary>
    public RcfdOptions Options { get; }

    /// <inheritdoc/>
    public string Name => "rcfd";

    /// <inheritdoc/>
    public bool NeedsDpoModel => false;

    /// <inheritdoc/>
    public bool NeedsDemonstrationRewards => true;

    /// <inheritdoc/>
    public bool TrainsCritic => true;

    /// <inheritdoc/>
    /// <remarks>Besides the common figures: rcfd_alignment (A over the batch's R_0 and demonstration R_0) and
    /// rcfd_calibrated_mean, the batch mean of the unwhitened Σ_i −(R_i − R_i,d)² (whitened values average 0).</remarks>
    public TrainingBatch Prepare(long batchId, IReadOnlyList<ScoredRollout> batch)
    {
        ScoredBatch.Check(batch, Name, needsDpo: false, needsDemoRewards: true);
        int models = batch[0].Rewards.Length;
        if (batch.Any(s => s.Rewards.Length != models)) throw new ArgumentException($"{Name}: every sample needs {models} rewards", nameof(batch));
        int columns = models + (Options.LengthReward ? 1 : 0);
        var policy = new double[batch.Count * columns];
        var demo = new double[batch.Count * columns];
        for (int b = 0; b < batch.Count; b++)
        {
            batch[b].Rewards.CopyTo(policy, b * columns);
            batch[b].DemoRewards!.CopyTo(demo, b * columns);
            if (Options.LengthReward)
            {
                policy[b * columns + models] = Rcfd.LengthReward(batch[b].Rollout.Response.Length);
                demo[b * columns + models] = Rcfd.LengthReward(DemonstrationLength(batch[b].Rollout.PromptId));
            }
        }
        double[] calibrated = Rcfd.Rewards(policy, demo, columns, Options);
        double[][] rewards = [.. batch.Select((s, b) => KlPenalizedReward.Compute(
            ScoredBatch.Doubles(s.Rollout.LogProbs), ScoredBatch.Doubles(s.RefLogProbs), calibrated[b], Options.Ppo.KlCoefficient, Options.Ppo.KlEstimator))];

        var metrics = ScoredBatch.Metrics(batch);
        metrics["rcfd_alignment"] = Rcfd.Alignment([.. batch.Select(s => s.DemoRewards![0])], [.. batch.Select(s => s.Rewards[0])], Options.AlignmentBins);
        metrics["rcfd_calibrated_mean"] = Enumerable.Range(0, batch.Count)
            .Average(b => Rcfd.Reward(policy.AsSpan(b * columns, columns), demo.AsSpan(b * columns, columns)));
        return new TrainingBatch(batchId, AdvantageEstimation.Samples(batch, rewards, Options.Ppo), metrics);
    }

    /// <inheritdoc/>
    public ObjectiveLoss Loss(CausalLM policy, IReadOnlyList<TrainingSample> minibatch) => PpoObjective.ClippedLoss(policy, minibatch, Options.Ppo);

    private int DemonstrationLength(long promptId)
    {
        if (demonstrationLengths.TryGetValue(promptId, out int length)) return length;
        int[] demonstration = task!.Demonstration(promptId)
            ?? throw new InvalidOperationException($"task {task.Name} has no demonstration for prompt {promptId}, which RCfD's length reward needs");
        demonstrationLengths[promptId] = demonstration.Length;
        return demonstration.Length;
    }
}

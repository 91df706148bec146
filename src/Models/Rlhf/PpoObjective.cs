using ActorRL.Models.Nn;
using ActorRL.Models.Objectives;
using ActorRL.Models.Tensors;

namespace ActorRL.Models.Rlhf;

/// <summary>
/// PPO with a KL-penalized reward (OBJECTIVES.md, "PPO"): token rewards r_t = −β·k_t plus the sequence reward R_0 on the
/// last token (<see cref="KlPenalizedReward"/>), GAE over the rollout's values, advantages whitened over the batch, and
/// the clipped actor loss, clipped value loss and entropy bonus of <see cref="Ppo.Loss"/>.
/// </summary>
public sealed class PpoObjective : IRlObjective
{
    /// <summary>Creates the objective.</summary>
    public PpoObjective(PpoOptions options)
    {
        Options = options ?? throw new ArgumentNullException(nameof(options));
        options.Validate();
    }

    /// <summary>The settings.</summary>
    public PpoOptions Options { get; }

    /// <inheritdoc/>
    public string Name => "ppo";

    /// <inheritdoc/>
    public bool NeedsDpoModel => false;

    /// <inheritdoc/>
    public bool NeedsDemonstrationRewards => false;

    /// <inheritdoc/>
    public bool TrainsCritic => true;

    /// <inheritdoc/>
    public TrainingBatch Prepare(long batchId, IReadOnlyList<ScoredRollout> batch)
    {
        ScoredBatch.Check(batch, Name, needsDpo: false, needsDemoRewards: false);
        double[][] rewards = [.. batch.Select(s => KlPenalizedReward.Compute(
            ScoredBatch.Doubles(s.Rollout.LogProbs), ScoredBatch.Doubles(s.RefLogProbs), s.Rewards[0], Options.KlCoefficient, Options.KlEstimator))];
        return new TrainingBatch(batchId, AdvantageEstimation.Samples(batch, rewards, Options), ScoredBatch.Metrics(batch));
    }

    /// <inheritdoc/>
    public ObjectiveLoss Loss(CausalLM policy, IReadOnlyList<TrainingSample> minibatch) => ClippedLoss(policy, minibatch, Options);

    /// <summary>The PPO loss of a minibatch with <paramref name="options"/>; shared by PPO, RTO and RCfD, which differ only in their rewards.</summary>
    internal static ObjectiveLoss ClippedLoss(CausalLM policy, IReadOnlyList<TrainingSample> minibatch, PpoOptions options)
    {
        using var scope = new DisposeScope();
        var evaluation = PolicyEvaluation.Run(policy, minibatch);
        PpoLoss loss = Ppo.Loss(evaluation.LogProbs, evaluation.Values, evaluation.Entropies, evaluation.Rollout, options);
        var metrics = evaluation.Metrics(loss.Total, loss.Actor, loss.Value, loss.Entropy!, options);
        return new ObjectiveLoss(scope.MoveToOuter(loss.Total), metrics);
    }
}

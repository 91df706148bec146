using ActorRL.Models.Nn;
using ActorRL.Models.Objectives;

namespace ActorRL.Models.Rlhf;

/// <summary>
/// RTO (OBJECTIVES.md, "RTO"): the token-wise reward of a DPO model, r_t = clip(β1·(log π_dpo − log π_ref), ±c)
/// − β2·(log π_old − log π_ref) + [t = T]·clamp(R_0) (<see cref="Rto.TokenRewards(ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, double, RtoOptions)"/>),
/// then GAE, whitening and the PPO loss of <see cref="RtoOptions.Ppo"/>.
/// </summary>
public sealed class RtoObjective : IRlObjective
{
    /// <summary>Creates the objective.</summary>
    public RtoObjective(RtoOptions options)
    {
        Options = options ?? throw new ArgumentNullException(nameof(options));
        options.Validate();
    }

    /// <summary>The settings.</summary>
    public RtoOptions Options { get; }

    /// <inheritdoc/>
    public string Name => "rto";

    /// <inheritdoc/>
    public bool NeedsDpoModel => true;

    /// <inheritdoc/>
    public bool NeedsDemonstrationRewards => false;

    /// <inheritdoc/>
    public bool TrainsCritic => true;

    /// <inheritdoc/>
    public TrainingBatch Prepare(long batchId, IReadOnlyList<ScoredRollout> batch)
    {
        ScoredBatch.Check(batch, Name, needsDpo: true, needsDemoRewards: false);
        return new TrainingBatch(batchId, AdvantageEstimation.Samples(batch, TokenRewards(batch, Options), Options.Ppo), ScoredBatch.Metrics(batch));
    }

    /// <inheritdoc/>
    public ObjectiveLoss Loss(CausalLM policy, IReadOnlyList<TrainingSample> minibatch) => PpoObjective.ClippedLoss(policy, minibatch, Options.Ppo);

    /// <summary>RTO's token rewards of each sample (checked batch); DRTO uses the same.</summary>
    internal static double[][] TokenRewards(IReadOnlyList<ScoredRollout> batch, RtoOptions options)
    {
        double[] sequence = [.. batch.Select(s => s.Rewards[0])];
        if (options.NormalizeSequenceReward) sequence = Whitening.Whiten(sequence);
        return [.. batch.Select((s, b) => Rto.TokenRewards(
            ScoredBatch.Doubles(s.DpoLogProbs!), ScoredBatch.Doubles(s.RefLogProbs), ScoredBatch.Doubles(s.Rollout.LogProbs), sequence[b], options))];
    }
}
